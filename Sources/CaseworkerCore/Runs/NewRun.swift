import Foundation

/// A validated, planned run to store `PENDING`, due now (`RunPlanner`): from `POST
/// /v1/workflows/run`, a `workflow.run` step (a child) or a failed run's `failureWorkflow`.
public struct NewRun: Sendable, Equatable {
    /// How deeply child runs may nest (a definition that runs itself would otherwise never stop).
    public static let maxDepth = 8

    /// The run's id, made by the planner's caller (ids sort by creation).
    public var id: String
    public var tenantId: String
    public var caseId: String
    public var workflowDefinitionId: String
    public var version: Int
    public var versionId: String
    public var parametersId: String?
    public var input: JSONValue
    public var plan: RunPlan
    public var correlationId: String?
    public var channel: String?
    /// The run whose `workflow.run` step starts this one (a child run), and the child's nesting
    /// depth (the parent's + 1; 0 for a run started otherwise).
    public var parentRunId: String?
    public var depth: Int
    /// The failed run this one is the `failureWorkflow` of (it never starts a failure workflow of its own).
    public var failureOfRunId: String?
    /// A branch of the parent's `parallel` step: it starts with the parent's step results and
    /// step count (`stepResults`, `stepsExecuted`).
    public var branch: RunBranch?
    public var stepResults: [String: JSONValue]
    public var stepsExecuted: Int

    public init(
        id: String, tenantId: String, caseId: String, workflowDefinitionId: String, version: Int, versionId: String,
        parametersId: String?, input: JSONValue, plan: RunPlan, correlationId: String?, channel: String?,
        parentRunId: String? = nil, depth: Int = 0, failureOfRunId: String? = nil, branch: RunBranch? = nil,
        stepResults: [String: JSONValue] = [:], stepsExecuted: Int = 0
    ) {
        self.id = id
        self.branch = branch
        self.stepResults = stepResults
        self.stepsExecuted = stepsExecuted
        self.parentRunId = parentRunId
        self.depth = depth
        self.failureOfRunId = failureOfRunId
        self.tenantId = tenantId
        self.caseId = caseId
        self.workflowDefinitionId = workflowDefinitionId
        self.version = version
        self.versionId = versionId
        self.parametersId = parametersId
        self.input = input
        self.plan = plan
        self.correlationId = correlationId
        self.channel = channel
    }
}

