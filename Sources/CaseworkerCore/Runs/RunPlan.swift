/// What a new run starts with, computed from its definition, parameter values and input.
public struct RunPlan: Sendable, Hashable {
    /// The effective parameters (`params` in expressions): variable defaults overlaid with values.
    public var params: [String: JSONValue]
    /// The initial `state`: `initialState` overlaid with the effective parameters.
    public var state: [String: JSONValue]
    public var firstStepId: String
    /// The evaluated rate limit (`planRun(values:input:start:)`); `nil`: not limited.
    public var rateLimit: RunRateLimit? = nil
    /// The workflow timeout; `nil`: none.
    public var timeout: RunTimeout? = nil
}

extension WorkflowDefinition {
    /// Plans a run (SPEC 2.7). With `enforceSchema`, `input` must satisfy `inputSchema`; the
    /// problems are reported with pointers under `/input`.
    public func planRun(values: [String: JSONValue], input: JSONValue) throws(ValidationFailed) -> RunPlan {
        if enforceSchema, let inputSchema {
            let problems = inputSchema.validate(input, at: "/input")
            if !problems.isEmpty { throw ValidationFailed(problems) }
        }
        let params = variables.resolve(values: values)
        let state = initialState.merging(params) { _, parameter in parameter }
        return RunPlan(params: params, state: state, firstStepId: start.stepId)
    }

    /// Plans a run (`planRun(values:input:)`) and adds its rate limit and workflow timeout.
    /// The input and the initial state must fit `start.limits` (`maxBytes`, `maxStateBytes`,
    /// `maxDepth`): else `ValidationFailed` at `/input` or `""`.
    public func planRun(values: [String: JSONValue], input: JSONValue, start: RunStartContext) throws(ValidationFailed) -> RunPlan {
        if let violation = start.limits.violation(of: input) {
            throw ValidationFailed([FieldError(property: "/input", message: "\(violation) (limits.maxValueBytes, limits.maxValueDepth)")])
        }
        var plan = try planRun(values: values, input: input)
        if let violation = start.limits.violation(of: .object(plan.state), byteLimit: start.limits.maxStateBytes) {
            throw ValidationFailed([
                FieldError(property: "", message: "the run's initial state: \(violation) (limits.maxStateBytes, limits.maxValueDepth)")
            ])
        }
        plan.rateLimit = try rateLimit(for: plan, input: input, start: start)
        plan.timeout = runTimeout
        return plan
    }
}
