import Foundation

/// Why a run cannot start (`RunPlanner`, `ResolvedRunStart.plan`). The API answers it as a
/// problem; a `workflow.run` step ends `KO` with `childCode`; a failure workflow's refusal is
/// written into the failed run's error.
public enum RunRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    case caseNotFound(String)
    case caseErased(String)
    /// No such definition, or no such version of it.
    case definitionNotFound(id: String, version: Int?)
    /// The definition exists but has no published version to run.
    case noPublishedVersion(String)
    case disabled(String)
    case parametersNotFound(String)
    /// Parameters of another definition (at `/parametersId`), invalid parameter values, input
    /// refused by an enforced `inputSchema`, an input or initial state past the value limits, a
    /// `rateLimit.key` that fails to evaluate.
    case invalid(ValidationFailed)
    /// A child run would nest deeper than `NewRun.maxDepth`.
    case depthExceeded

    public var description: String {
        switch self {
        case .caseNotFound(let id): "no case \(id)"
        case .caseErased(let id): "case \(id) is erased"
        case .definitionNotFound(let id, let version): "no workflow definition \(id)\(version.map { " at version \($0)" } ?? "")"
        case .noPublishedVersion(let id): "workflow definition \(id) has no published version"
        case .disabled(let id): "workflow definition \(id) is disabled"
        case .parametersNotFound(let id): "no parameter set \(id)"
        case .invalid(let failure):
            "the run was refused: "
                + failure.errors.map { "\($0.property.isEmpty ? "" : $0.property + " ")\($0.message)" }.joined(separator: "; ")
        case .depthExceeded: "child runs nest at most \(NewRun.maxDepth) deep"
        }
    }

    /// The `KO` code of a `workflow.run` step refused so.
    public var childCode: String {
        switch self {
        case .caseNotFound, .caseErased, .definitionNotFound, .noPublishedVersion, .parametersNotFound: "child_not_found"
        case .disabled: "child_disabled"
        case .invalid: "child_invalid"
        case .depthExceeded: "child_depth_exceeded"
        }
    }
}

/// What a run's start reads from storage, read (`RunPlanner.resolve`): the case, the parsed
/// definition version and the validated parameter values. Planning from it is pure.
public struct ResolvedRunStart: Sendable {
    public var tenantId: String
    public var caseId: String
    public var caseRecord: Case
    public var definitionId: String
    public var version: Int
    public var versionId: String
    public var definition: WorkflowDefinition
    public var parametersId: String?
    /// The parameter set's values, validated against the definition's variables.
    public var values: [String: JSONValue]
    /// The configured bounds on the run's input, initial state and rate-limit key.
    public var limits: ValueLimits

    public init(
        tenantId: String, caseId: String, caseRecord: Case, definitionId: String, version: Int, versionId: String,
        definition: WorkflowDefinition, parametersId: String?, values: [String: JSONValue], limits: ValueLimits
    ) {
        self.limits = limits
        self.tenantId = tenantId
        self.caseId = caseId
        self.caseRecord = caseRecord
        self.definitionId = definitionId
        self.version = version
        self.versionId = versionId
        self.definition = definition
        self.parametersId = parametersId
        self.values = values
    }

    /// The run with `id` and `input` (SPEC 2.7): the input schema when enforced, the value limits,
    /// the rate-limit key and the workflow timeout, with the same rules for every way a run starts.
    /// A child (`parent`) inherits the parent's correlation id and channel and nests one deeper;
    /// `failureOfRunId` marks the failure workflow of that run.
    public func plan(
        id: String, input: JSONValue, correlationId: String?, channel: String?, parent: Run? = nil, failureOfRunId: String? = nil,
        now: Date
    ) -> Result<NewRun, RunRefusal> {
        if let parent, parent.depth >= NewRun.maxDepth { return .failure(.depthExceeded) }
        let start = RunStartContext(caseRecord: caseRecord, caseId: caseId, correlationId: correlationId, now: now, limits: limits)
        let plan: RunPlan
        do {
            plan = try definition.planRun(values: values, input: input, start: start)
        } catch {
            return .failure(.invalid(error))
        }
        return .success(
            NewRun(
                id: id, tenantId: tenantId, caseId: caseId, workflowDefinitionId: definitionId, version: version, versionId: versionId,
                parametersId: parametersId, input: input, plan: plan, correlationId: correlationId, channel: channel,
                parentRunId: parent?.id, depth: parent.map { $0.depth + 1 } ?? 0, failureOfRunId: failureOfRunId))
    }
}

/// The failure workflow a run's end may start (SPEC 2.7), resolved before the end is decided.
public enum FailureWorkflowTarget: Sendable {
    /// The run's definition names none (or the run is itself a failure workflow).
    case none
    case resolved(ResolvedRunStart)
    /// The named definition cannot start a run; the failed run's error says why.
    case refused(name: String, RunRefusal)
}
