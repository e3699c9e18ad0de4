import Foundation

/// What a run's rate-limit key and input may read when the run is created: the case, the
/// correlation id and the injected time. (The run's own id and creation time do not exist yet;
/// `run.id` and `run.createdAt` read as `null` in `rateLimit.key`.)
public struct RunStartContext: Sendable {
    public var caseRecord: Case?
    public var caseId: String
    public var correlationId: String?
    public var now: Date

    public init(caseRecord: Case?, caseId: String, correlationId: String?, now: Date) {
        self.caseRecord = caseRecord
        self.caseId = caseId
        self.correlationId = correlationId
        self.now = now
    }

    /// The `case` object of the expression context: the case's fields and its `id`.
    public var caseObject: JSONValue {
        var object = caseRecord.map { CaseInput.json(of: $0.fields).objectValue ?? [:] } ?? [:]
        object["id"] = .string(caseId)
        return .object(object)
    }
}
