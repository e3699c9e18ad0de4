import Foundation

/// The rate limit a run is admitted under (SPEC 2.7 "Rate limit"): its definition's
/// `rateLimit.key`, evaluated once when the run is created, and `concurrentExecLimit`.
///
/// At most `limit` runs of the same tenant and definition with the same `key` are active
/// (`RUNNING` or `WAITING`) at once; the others stay `PENDING` and start in creation order.
public struct RunRateLimit: Sendable, Hashable {
    public var key: String
    public var limit: Int

    public init(key: String, limit: Int) {
        self.key = key
        self.limit = limit
    }
}

extension WorkflowDefinition {
    /// The run's rate limit: `rateLimit.key` evaluated with `case`, `params`, `input`, `state`
    /// (the initial state) and `run.correlationId`. A string value is the key as is, `null` is
    /// the empty key, any other value its compact JSON text. `nil` without `rateLimit`.
    ///
    /// - Throws: `ValidationFailed` at `""` naming the key's evaluation error, or a key longer
    ///   than `start.limits.maxRateKeyBytes`.
    public func rateLimit(for plan: RunPlan, input: JSONValue, start: RunStartContext) throws(ValidationFailed) -> RunRateLimit? {
        guard let rateLimit else { return nil }
        let context = EvaluationContext(
            variables: [
                "case": start.caseObject, "params": .object(plan.params), "input": input, "state": .object(plan.state),
                "steps": .object([:]),
                "run": ["id": .null, "createdAt": .null, "correlationId": start.correlationId.map(JSONValue.string) ?? .null],
            ],
            now: start.now, limits: start.limits)
        let key: String
        do {
            let value = try rateLimit.key.evaluate(in: context)
            key = value.isNull ? "" : ExpressionText.string(value)
        } catch {
            throw ValidationFailed([FieldError(property: "", message: "the definition's rateLimit.key failed: \(error)")])
        }
        guard key.utf8.count <= start.limits.maxRateKeyBytes else {
            throw ValidationFailed([
                FieldError(
                    property: "",
                    message: "the definition's rateLimit.key evaluated to \(key.utf8.count) bytes, more than \(start.limits.maxRateKeyBytes) (limits.maxRateKeyBytes)")
            ])
        }
        return RunRateLimit(key: key, limit: rateLimit.concurrentExecLimit)
    }
}
