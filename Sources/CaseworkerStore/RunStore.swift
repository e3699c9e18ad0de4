import CaseworkerCore
import Foundation

/// What `POST /v1/workflows/run` stores: a validated, planned run.
public struct NewRun: Sendable, Equatable {
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

    public init(
        tenantId: String, caseId: String, workflowDefinitionId: String, version: Int, versionId: String,
        parametersId: String?, input: JSONValue, plan: RunPlan, correlationId: String?, channel: String?,
        parentRunId: String? = nil, depth: Int = 0, failureOfRunId: String? = nil
    ) {
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

/// Filters of `GET /v1/workflows`.
public struct RunFilter: Sendable, Equatable {
    public var status: RunStatus?
    public var caseId: String?
    public var workflowDefinitionId: String?
    public var createdAfter: Date?

    public init(status: RunStatus? = nil, caseId: String? = nil, workflowDefinitionId: String? = nil, createdAfter: Date? = nil) {
        self.status = status
        self.caseId = caseId
        self.workflowDefinitionId = workflowDefinitionId
        self.createdAfter = createdAfter
    }
}

/// What the engine writes when a step attempt has finished: the timeline entry and what follows.
public struct StepCompletion: Sendable {
    public enum Next: Sendable, Equatable {
        /// Try the same step again at `at` (a durable wait: a restart resumes it).
        case retry(at: Date)
        /// Run `stepId` next, in `mode`.
        case step(String, mode: FlowMode)
        /// The run completed with `result`.
        case complete(result: JSONValue)
        /// The run ended `FAILED` or `TIMED_OUT` (with `StepCompletion.error`).
        case end(RunStatus)
        /// The current step suspends: the run becomes `WAITING` for `wait` (a timer or a signal),
        /// releasing the claim; no task is recorded until it wakes. For a signal, the store
        /// consumes the earliest kept signal of that name at once if there is one (the run is
        /// then due now), and otherwise writes the `workflow.waiting` event in the same
        /// transaction.
        case suspend(RunWait)
        /// The current step (`workflow.run`) starts `child` and waits for it: the child run is
        /// inserted `PENDING` and the run becomes `WAITING` (`RunWait.childRunId`, not due), in
        /// the same transaction. The child's terminal transition makes the run due again, in
        /// that transition's transaction; the step then ends from the child's outcome.
        /// `since` is when the step began (its task's `startedAt`).
        case startChild(NewRun, since: Date)
    }

    /// The finished attempt; `nil` when the run ends without executing a step (the step limit).
    public var task: RunTask?
    /// For a step of an inline branch, the step that owns the branch: the store links the task
    /// to that step's latest task (`tasksHierarchy`).
    public var parentStepId: String?
    /// Top-level state keys set by the step (`transform`).
    public var stateChanges: [String: JSONValue]
    /// `steps.<stepId>` after this attempt.
    public var stepResult: JSONValue?
    public var next: Next
    /// The error to record on the run now: the original failure when the run enters its rescue
    /// steps (the run ends with it), or the error of a terminal `end`.
    public var error: RunError?
    /// Keep the engine's claim (it runs the next step at once) instead of releasing the run.
    public var keepClaim: Bool

    public init(
        task: RunTask?, parentStepId: String?, stateChanges: [String: JSONValue], stepResult: JSONValue?, next: Next,
        error: RunError? = nil, keepClaim: Bool
    ) {
        self.task = task
        self.parentStepId = parentStepId
        self.stateChanges = stateChanges
        self.stepResult = stepResult
        self.next = next
        self.error = error
        self.keepClaim = keepClaim
    }
}

extension Run {
    /// The run after `completion`, as far as it follows from the completion alone: steps
    /// executed, step results, state, error, position, attempt and status; the wait is cleared
    /// unless the run suspends or starts a child (the store fills in that wait, and the due and
    /// finish times, when it writes the row).
    public func applying(_ completion: StepCompletion) -> Run {
        var run = self
        if let task = completion.task {
            run.stepsExecuted += 1
            if let stepResult = completion.stepResult { run.stepResults[task.stepId] = stepResult }
        }
        if let error = completion.error { run.error = error }
        run.state.merge(completion.stateChanges) { _, new in new }
        switch completion.next {
        case .retry:
            run.attempt += 1
            run.wait = nil
        case .step(let stepId, let mode):
            run.currentStepId = stepId
            run.flowMode = mode
            run.attempt = 1
            run.wait = nil
        case .complete(let result):
            run.status = .completed
            run.result = result
            run.wait = nil
        case .end(let status):
            run.status = status
            run.wait = nil
        case .suspend, .startChild:
            run.status = .waiting
        }
        if run.status.isTerminal { run.currentStepId = nil }
        return run
    }
}

/// Runs: started by the API, executed by the engine, read by both.
public protocol RunStore: Sendable {
    /// Notifications fired after commits (new work, changed runs).
    var signals: StoreSignals { get }

    /// Stores a `PENDING` run, due now. Visible to the engine exactly when this commits.
    func startRun(_ run: NewRun) async throws -> Run
    func findRun(tenantId: String, id: String) async throws -> Run?
    /// Runs newest first.
    func listRuns(tenantId: String, filter: RunFilter, page: PageRequest) async throws -> Page<Run>
    /// The run and its tasks in execution order, read in one snapshot (a task never shows without
    /// the run state it led to); `nil` for an unknown run.
    func runExecution(tenantId: String, runId: String) async throws -> (run: Run, tasks: [RunTask])?
    /// Where a `PENDING` rate-limited `run` stands in its key's queue; `nil` for any other run.
    func rateLimitPlace(of run: Run) async throws -> RateLimitPlace?

    /// The content of the definition version `versionId` (any tenant's: the engine runs all).
    func definitionContent(versionId: String) async throws -> JSONValue?
    /// Releases every claim. Called by the engine at start-up: claims are held by live engine
    /// tasks only, so after a crash every claimed run is resumable (one process per database).
    func releaseAllClaims() async throws -> Int
    /// Claims up to `limit` `PENDING`/`RUNNING`/`WAITING` runs due at `now` for `owner`, oldest
    /// due first, moving `PENDING` and `WAITING` ones to `RUNNING` (a woken run keeps its `wait`,
    /// so the engine knows to finish the suspended step rather than execute it). A rate-limited
    /// `PENDING` run is claimed only while its key has a free slot, in creation order; a run
    /// leaving `PENDING` gets its workflow-timeout deadline. A claimed run whose stored row
    /// cannot be read is ended `FAILED` (`corrupt_state`, with its event) in the same transaction
    /// and returned so, terminal: it never fails the claim of the others.
    func claimDueRuns(owner: String, limit: Int, now: Date) async throws -> [Run]
    /// The earliest `dueAt` of an unclaimed active run (not counting `PENDING` runs held back by
    /// their rate limit) or workflow-timeout deadline, to sleep until then.
    func nextDueDate() async throws -> Date?
    /// Records finished attempts and moves the run on, atomically (with the outbox event of a
    /// terminal transition). The run must be claimed by `owner` and not terminal, else
    /// `StoreError.conflict` (e.g. the run was cancelled while its step was in flight): nothing
    /// is written then. Any `next` but `suspend` clears the run's `wait`.
    ///
    /// `completions` are consecutive steps of the run, in order: every one but the last moves to
    /// the next step keeping the claim (`.step`, `keepClaim`); the engine runs steps without side
    /// effects ahead and commits them with the step before (docs/ARCHITECTURE.md). Their tasks
    /// are recorded in order; the last completion decides what follows.
    ///
    /// `run` is the claimed run as the engine holds it (as claimed, or as the previous
    /// `finishSteps` returned it): while the claim holds, nobody else changes the fields this
    /// writes, so the store applies the completions to it instead of reading the row back.
    func finishSteps(run: Run, owner: String, completions: [StepCompletion]) async throws -> Run
    /// Releases `owner`'s claim on a run without changing it (the engine is shutting down).
    func releaseClaim(runId: String, owner: String) async throws

    /// Cancels an active run (`PENDING`, `RUNNING` or `WAITING`): it ends `CANCELLED` with error
    /// `{code: "cancelled", stepId: the current step}`, its claim and wait are cleared, and the
    /// `workflow.cancelled` event commits with it. A step in flight is abandoned: the engine's
    /// `finishSteps` for it then fails with a conflict and records nothing. `nil` for an unknown
    /// run; `StoreError.conflict` for a terminal one.
    func cancelRun(tenantId: String, id: String) async throws -> Run?
    /// Restarts a `FAILED` or `TIMED_OUT` run at `stepId` (its failed step, in the main flow):
    /// the run is `PENDING` and due now, with attempt 1, a fresh step count, no error and no
    /// finish time; its tasks, state and `steps` results are kept. `nil` for an unknown run;
    /// `StoreError.conflict` for any other status.
    func retryRun(tenantId: String, id: String, fromStepId stepId: String) async throws -> Run?
    /// Applies the workflow timeouts due at `now`, each in the transaction of its transition:
    /// a `TIME_OUT_WF` run ends `TIMED_OUT` (error code `workflow_timeout`, event
    /// `workflow.timed_out`; a step in flight is abandoned as by a cancel); an `ALERT_ONLY` run
    /// gets its one `workflow.timeout_alert` event and goes on. Returns what was applied.
    func applyDueTimeouts(now: Date, limit: Int) async throws -> [TimeoutApplied]
    /// Sends the signal `name` with `payload` to an active run. When the run is `WAITING` for
    /// `name` (and no signal was delivered yet), the signal is consumed: the run is due now and
    /// its `await` step ends `OK` with `payload` as output. Otherwise it is kept, and the next
    /// `await` of `name` the run reaches consumes the earliest kept signal of that name. `nil`
    /// for an unknown run; `StoreError.conflict` for a terminal one.
    func signalRun(tenantId: String, id: String, name: String, payload: JSONValue) async throws -> SignalReceipt?
}

/// A workflow timeout the store applied (`applyDueTimeouts`), for the engine's log and metrics.
public struct TimeoutApplied: Sendable, Hashable {
    public var run: Run
    public var policy: WorkflowDefinition.TimeoutPolicy

    public init(run: Run, policy: WorkflowDefinition.TimeoutPolicy) {
        self.run = run
        self.policy = policy
    }
}
