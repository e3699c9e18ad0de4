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

/// The workflow timeout of a run (`timeoutSeconds`, `timeoutPolicy`), counted from the moment the
/// engine starts the run (its first claim out of `PENDING`, and again after a retry).
public struct RunTimeout: Sendable, Hashable {
    public var seconds: Double
    public var policy: WorkflowDefinition.TimeoutPolicy

    public init(seconds: Double, policy: WorkflowDefinition.TimeoutPolicy) {
        self.seconds = seconds
        self.policy = policy
    }

    public var milliseconds: Int64 { Int64((seconds * 1000).rounded(.up)) }
}

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

extension WorkflowDefinition {
    /// The run's rate limit: `rateLimit.key` evaluated with `case`, `params`, `input`, `state`
    /// (the initial state) and `run.correlationId`. A string value is the key as is, `null` is
    /// the empty key, any other value its compact JSON text. `nil` without `rateLimit`.
    ///
    /// - Throws: `ValidationFailed` at `""` naming the key's evaluation error.
    public func rateLimit(for plan: RunPlan, input: JSONValue, start: RunStartContext) throws(ValidationFailed) -> RunRateLimit? {
        guard let rateLimit else { return nil }
        let context = EvaluationContext(
            variables: [
                "case": start.caseObject, "params": .object(plan.params), "input": input, "state": .object(plan.state),
                "steps": .object([:]),
                "run": ["id": .null, "createdAt": .null, "correlationId": start.correlationId.map(JSONValue.string) ?? .null],
            ],
            now: start.now)
        do {
            let value = try rateLimit.key.evaluate(in: context)
            let key = value.isNull ? "" : ExpressionText.string(value)
            return RunRateLimit(key: key, limit: rateLimit.concurrentExecLimit)
        } catch {
            throw ValidationFailed([FieldError(property: "", message: "the definition's rateLimit.key failed: \(error)")])
        }
    }

    /// The run's workflow timeout; `nil` when `timeoutSeconds` is 0.
    public var runTimeout: RunTimeout? {
        timeoutSeconds > 0 ? RunTimeout(seconds: timeoutSeconds, policy: timeoutPolicy) : nil
    }

    /// Plans a run (`planRun(values:input:)`) and adds its rate limit and workflow timeout.
    public func planRun(values: [String: JSONValue], input: JSONValue, start: RunStartContext) throws(ValidationFailed) -> RunPlan {
        var plan = try planRun(values: values, input: input)
        plan.rateLimit = try rateLimit(for: plan, input: input, start: start)
        plan.timeout = runTimeout
        return plan
    }

    /// Whether some `await` step of this definition can wait for the signal `name`: one names it,
    /// or one computes its signal name with a template (which could be any name).
    public func awaitsSignal(_ name: String) -> Bool {
        graph.allSteps.contains { step in
            guard step.action == .await else { return false }
            switch step.config {
            case .constant(let config): return config["signal"]?.stringValue == name
            case .object(let members):
                switch members["signal"] {
                case .constant(let value)?: return value.stringValue == name
                case nil: return false
                default: return true
                }
            default: return true
            }
        }
    }
}
