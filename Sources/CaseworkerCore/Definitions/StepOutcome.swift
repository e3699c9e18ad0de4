/// How a step ended: a status and an optional code (e.g. an HTTP status, a `switch` value).
public struct StepOutcome: Sendable, Hashable, CustomStringConvertible {
    public enum Status: String, Sendable, Hashable, CaseIterable, Codable {
        case ok = "OK"
        case ko = "KO"
        case skip = "SKIP"
        case timeout = "TIMEOUT"
    }

    public var status: Status
    public var code: String?

    public init(_ status: Status, code: String? = nil) {
        self.status = status
        self.code = code
    }

    public static let ok = StepOutcome(.ok)

    /// Whether the outcome sends an unmatched run to its rescue steps (KO and TIMEOUT).
    public var isFailure: Bool { status == .ko || status == .timeout }

    public var description: String { code.map { "\(status.rawValue)(\($0))" } ?? status.rawValue }
}
