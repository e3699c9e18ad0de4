import Foundation

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
        /// releasing the claim; no task is recorded until it wakes. For a signal, the earliest
        /// kept signal of that name is consumed at once if there is one (the run is then due
        /// now), and otherwise the `workflow.waiting` event is written (`RunLifecycle`).
        case suspend(RunWait)
        /// The current step (`workflow.run`) starts `child` and waits for it: the child run is
        /// inserted `PENDING` and the run becomes `WAITING` (`RunWait.childRunId`, not due), in
        /// one change. The child's end makes the run due again (`RunLifecycle.childEnded`); the
        /// step then ends from the child's outcome. `since` is when the step began.
        case startChild(NewRun, since: Date)
        /// The current step (`parallel`) starts its branch runs (`RunBranch`, all of one group,
        /// in the branches' order) and waits for them: they are inserted `PENDING` and the run
        /// becomes `WAITING` for the group (`RunWait.childRunId` is the first branch run), in
        /// one change. A branch's end makes the run due once the group decides
        /// (`ParallelJoin.decision`, `RunLifecycle.childEnded`).
        case startBranches([NewRun], since: Date)
    }

    /// The finished attempt; `nil` when the run ends without executing a step (the step limit).
    public var task: RunTask?
    /// For a step of an inline branch, the step that owns the branch: the task is linked
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
    /// Custom events the step published (`event.emit`): written to the outbox in the transaction
    /// that records the step, so they exist exactly when the step's completion does.
    public var emitted: [EmittedEvent]
    /// A `parallel` step that ended: the branch runs of this group still active are cancelled
    /// with the step's completion, for `reason`.
    public var cancelBranches: (group: String, reason: String)?
    /// The steps the branch runs of a `parallel` step executed: the run's step count grows by
    /// them when the step ends (the step limit counts every branch).
    public var branchSteps: Int = 0
    /// The `steps.<id>` results of a `parallel` step's branch runs at the join: from then on the
    /// run reads its branches' steps as its own.
    public var branchStepResults: [String: JSONValue] = [:]
    /// A `task` step suspends: the worker task it waits for, inserted with the suspension.
    public var enqueueTask: WorkerTask?

    public init(
        task: RunTask?, parentStepId: String?, stateChanges: [String: JSONValue], stepResult: JSONValue?, next: Next,
        error: RunError? = nil, keepClaim: Bool, emitted: [EmittedEvent] = []
    ) {
        self.task = task
        self.parentStepId = parentStepId
        self.stateChanges = stateChanges
        self.stepResult = stepResult
        self.next = next
        self.error = error
        self.keepClaim = keepClaim
        self.emitted = emitted
    }
}

/// A custom event published by an `event.emit` step.
public struct EmittedEvent: Sendable, Equatable {
    /// The event id and `webhook-id`: `msg_<ULID>`.
    public var id: String
    /// A custom type (`WebhookEventType.isCustomName`).
    public var type: WebhookEventType
    public var stepId: String
    /// The step's `data`, at most `maxPayloadBytes` as compact JSON.
    public var payload: JSONValue

    /// The largest `data` of an `event.emit` step, in bytes of compact JSON.
    public static let maxPayloadBytes = 64 * 1024

    public init(id: String, type: WebhookEventType, stepId: String, payload: JSONValue) {
        self.id = id
        self.type = type
        self.stepId = stepId
        self.payload = payload
    }
}

extension Run {
    /// The run after `completion`, as far as it follows from the completion alone: steps
    /// executed, step results, state, error, position, attempt and status; the wait is cleared
    /// unless the run suspends or starts a child (the store fills in that wait, and the due and
    /// finish times, when it writes the row).
    public func applying(_ completion: StepCompletion) -> Run {
        var run = self
        run.stepsExecuted += completion.branchSteps
        run.stepResults.merge(completion.branchStepResults) { _, branch in branch }
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
        case .suspend, .startChild, .startBranches:
            run.status = .waiting
        }
        if run.status.isTerminal { run.currentStepId = nil }
        return run
    }
}

