import Foundation

/// What a run's rate-limit key and input may read when the run is created: the case, the
/// correlation id and the injected time. (The run's own id and creation time do not exist yet;
/// `run.id` and `run.createdAt` read as `null` in `rateLimit.key`.)
public struct RunStartContext: Sendable {
    public var caseRecord: Case?
    public var caseId: String
    public var correlationId: String?
    public var now: Date
    /// The bounds of the run's start: its state's size, its rate-limit key's evaluation and length.
    public var limits: ValueLimits

    public init(caseRecord: Case?, caseId: String, correlationId: String?, now: Date, limits: ValueLimits = .default) {
        self.caseRecord = caseRecord
        self.caseId = caseId
        self.correlationId = correlationId
        self.now = now
        self.limits = limits
    }

    /// The `case` object of the expression context: the case's fields and its `id`.
    public var caseObject: JSONValue {
        var object = caseRecord.map { CaseInput.json(of: $0.fields).objectValue ?? [:] } ?? [:]
        object["id"] = .string(caseId)
        return .object(object)
    }
}
