/// The kind of a webhook event (SPEC 3), as named in the body's `type` and in an endpoint's
/// `events` subscription: one of the six run events Caseworker emits itself, or a custom type
/// that a workflow's `event.emit` step publishes.
///
/// The engine emits one run event per run state change of interest; an endpoint receives the
/// types it lists, by default the four terminal ones (`defaultSubscription`). A custom type
/// matches `^[a-z][a-z0-9_.-]*$`, is at most 128 characters and is not in the `workflow.`
/// namespace, which is Caseworker's; the schema's CHECK on `webhook_events.type` says the same.
public struct WebhookEventType: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: String

    /// A built-in type or a valid custom one; `nil` otherwise.
    public init?(rawValue: String) {
        guard Self.builtIn.contains(where: { $0.rawValue == rawValue }) || Self.isCustomName(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    private init(builtIn name: String) {
        self.rawValue = name
    }

    public static let completed = WebhookEventType(builtIn: "workflow.completed")
    public static let failed = WebhookEventType(builtIn: "workflow.failed")
    public static let timedOut = WebhookEventType(builtIn: "workflow.timed_out")
    public static let cancelled = WebhookEventType(builtIn: "workflow.cancelled")
    public static let waiting = WebhookEventType(builtIn: "workflow.waiting")
    public static let timeoutAlert = WebhookEventType(builtIn: "workflow.timeout_alert")

    /// The run events, in declaration order.
    public static let builtIn: [WebhookEventType] = [.completed, .failed, .timedOut, .cancelled, .waiting, .timeoutAlert]

    /// What an endpoint created without `events` subscribes to: the terminal run statuses.
    public static let defaultSubscription: [WebhookEventType] = [.completed, .failed, .timedOut, .cancelled]

    public static let maxCustomLength = 128

    /// The built-in names, for error messages.
    public static var builtInNames: [String] { builtIn.map(\.rawValue) }

    /// What a valid type is, for error messages.
    public static var expectation: String {
        "one of \(builtInNames.joined(separator: ", ")), or a custom type matching [a-z][a-z0-9_.-]* (at most \(maxCustomLength) characters, not starting with workflow.)"
    }

    /// Whether `name` is a valid custom type (`event.emit`): `^[a-z][a-z0-9_.-]*$`, at most 128
    /// characters, not in the `workflow.` namespace.
    public static func isCustomName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, (1...maxCustomLength).contains(bytes.count), (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first)
        else { return false }
        guard !name.hasPrefix("workflow.") else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "-"):
                true
            default: false
            }
        }
    }

    public var isBuiltIn: Bool { rawValue.hasPrefix("workflow.") }

    public var description: String { rawValue }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}
