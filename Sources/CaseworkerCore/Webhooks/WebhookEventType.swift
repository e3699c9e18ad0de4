/// The kinds of webhook event Caseworker emits (SPEC 3), as named in the body's `type` and in an
/// endpoint's `events` subscription.
///
/// The engine emits one event per run state change of interest; an endpoint receives the types it
/// lists, by default the four terminal ones (`defaultSubscription`). The schema's CHECK on
/// `webhook_events.type` lists the same six names: adding a type is a migration.
public enum WebhookEventType: String, Sendable, Hashable, CaseIterable, Comparable {
    case completed = "workflow.completed"
    case failed = "workflow.failed"
    case timedOut = "workflow.timed_out"
    case cancelled = "workflow.cancelled"
    case waiting = "workflow.waiting"
    case timeoutAlert = "workflow.timeout_alert"

    /// What an endpoint created without `events` subscribes to: the terminal run statuses.
    public static let defaultSubscription: [WebhookEventType] = [.completed, .failed, .timedOut, .cancelled]

    /// Every type name, in declaration order, for error messages.
    public static var allNames: [String] { allCases.map(\.rawValue) }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}
