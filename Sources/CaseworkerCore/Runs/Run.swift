import Foundation

/// A run of a workflow definition version for a case ("workflow" in the API, SPEC 2.7).
public struct Run: Sendable, Hashable {
    public var id: String
    public var tenantId: String
    public var caseId: String
    public var workflowDefinitionId: String
    /// The published version the run is pinned to, and its `versionId`.
    public var version: Int
    public var versionId: String
    public var parametersId: String?
    public var status: RunStatus
    /// The step to run (or running, or waited on); `nil` once the run has ended.
    public var currentStepId: String?
    public var flowMode: FlowMode
    /// The attempt number of the current step, from 1.
    public var attempt: Int
    /// Steps executed so far (attempts count once each), for the per-run step limit.
    public var stepsExecuted: Int
    public var input: JSONValue
    /// The effective parameters: the definition's variable defaults overlaid with the set's values.
    public var params: [String: JSONValue]
    public var state: [String: JSONValue]
    /// `steps.<id>` of the expression context: `{output, status, code, attempt}` of each step's
    /// latest execution.
    public var stepResults: [String: JSONValue]
    public var correlationId: String?
    public var channel: String?
    public var result: JSONValue?
    public var error: RunError?
    /// When the current step is due (a retry's delay ends, a timer fires); `nil` when not due.
    public var dueAt: Date?
    /// What the run waits for while its current step is a suspended `wait`/`await`.
    public var wait: RunWait?
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    /// The run whose `workflow.run` step started this one; `nil` for a run started otherwise.
    public var parentRunId: String?
    /// How deeply the run nests under `workflow.run` parents (0: no parent).
    public var depth: Int
    /// The run whose failure started this one as its definition's `failureWorkflow`.
    public var failureOfRunId: String?
    /// Set when the run is a branch of its parent's `parallel` step.
    public var branch: RunBranch?
    /// The rate limit the run is admitted under (its evaluated key, as stored), if its version
    /// has one: while `PENDING`, the run waits in that key's queue.
    public var rateLimit: RunRateLimit?
    /// The run's workflow timeout, and its deadline once the engine started it (`nil` before,
    /// and after an `ALERT_ONLY` alert); `timeoutAlertedAt` is when that alert was written.
    public var timeout: RunTimeout?
    public var deadlineAt: Date?
    public var timeoutAlertedAt: Date?
    /// The engine's claim on the run while one of its executors holds it (`RunLifecycle`).
    public var claim: RunClaim?
    /// Executor-level failures since the run last moved on (`RunLifecycle.executorFailed`).
    public var executorFailures: Int
    /// The JSON columns of the stored row that could not be read (a damaged file, a value stored
    /// before the value limits); they read as `null` or empty. The engine ends such a run
    /// (`RunLifecycle.unreadable`).
    public var unreadableColumns: [String] = []

    public init(
        id: String, tenantId: String, caseId: String, workflowDefinitionId: String, version: Int, versionId: String,
        parametersId: String?, status: RunStatus, currentStepId: String?, flowMode: FlowMode, attempt: Int,
        stepsExecuted: Int, input: JSONValue, params: [String: JSONValue], state: [String: JSONValue],
        stepResults: [String: JSONValue], correlationId: String?, channel: String?, result: JSONValue?, error: RunError?,
        dueAt: Date?, createdAt: Date, startedAt: Date?, finishedAt: Date?, wait: RunWait? = nil,
        parentRunId: String? = nil, depth: Int = 0, failureOfRunId: String? = nil, rateLimit: RunRateLimit? = nil,
        timeout: RunTimeout? = nil, deadlineAt: Date? = nil, timeoutAlertedAt: Date? = nil, claim: RunClaim? = nil,
        executorFailures: Int = 0, branch: RunBranch? = nil
    ) {
        self.branch = branch
        self.timeout = timeout
        self.deadlineAt = deadlineAt
        self.timeoutAlertedAt = timeoutAlertedAt
        self.claim = claim
        self.executorFailures = executorFailures
        self.rateLimit = rateLimit
        self.parentRunId = parentRunId
        self.depth = depth
        self.failureOfRunId = failureOfRunId
        self.id = id
        self.tenantId = tenantId
        self.caseId = caseId
        self.workflowDefinitionId = workflowDefinitionId
        self.version = version
        self.versionId = versionId
        self.parametersId = parametersId
        self.status = status
        self.currentStepId = currentStepId
        self.flowMode = flowMode
        self.attempt = attempt
        self.stepsExecuted = stepsExecuted
        self.input = input
        self.params = params
        self.state = state
        self.stepResults = stepResults
        self.correlationId = correlationId
        self.channel = channel
        self.result = result
        self.error = error
        self.dueAt = dueAt
        self.wait = wait
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }
}

/// Why a run failed or timed out.
public struct RunError: Sendable, Hashable {
    /// A machine-readable code: the failing step's outcome code (`"500"`, `connection_error`,
    /// `expression_error`), a `fail` step's code, `step_limit_exceeded`, `timeout`, ...
    public var code: String
    public var message: String
    /// The step that failed, if a step did.
    public var stepId: String?

    public init(code: String, message: String, stepId: String? = nil) {
        self.code = code
        self.message = message
        self.stepId = stepId
    }

    public var json: JSONValue {
        ["code": .string(code), "message": .string(message), "stepId": stepId.map(JSONValue.string) ?? .null]
    }

    public init?(json: JSONValue) {
        guard let code = json["code"]?.stringValue, let message = json["message"]?.stringValue else { return nil }
        self.init(code: code, message: message, stepId: json["stepId"]?.stringValue)
    }
}

/// One attempt of one step: a row of the execution timeline.
public struct RunTask: Sendable, Hashable {
    public var id: String
    public var runId: String
    public var stepId: String
    public var name: String?
    public var action: String
    public var attempt: Int
    public var outcome: StepOutcome
    /// The resolved configuration, with secret-looking header values masked.
    public var parameters: JSONValue
    public var output: JSONValue
    public var error: String?
    /// The task of the step whose inline branch this step belongs to, if any.
    public var parentTaskId: String?
    public var startedAt: Date
    public var finishedAt: Date
    /// The child run of a `workflow.run` step's attempt (`tasksHierarchy` links it).
    public var childRunId: String?

    public init(
        id: String, runId: String, stepId: String, name: String?, action: String, attempt: Int, outcome: StepOutcome,
        parameters: JSONValue, output: JSONValue, error: String?, parentTaskId: String?, startedAt: Date, finishedAt: Date,
        childRunId: String? = nil
    ) {
        self.childRunId = childRunId
        self.id = id
        self.runId = runId
        self.stepId = stepId
        self.name = name
        self.action = action
        self.attempt = attempt
        self.outcome = outcome
        self.parameters = parameters
        self.output = output
        self.error = error
        self.parentTaskId = parentTaskId
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }
}
