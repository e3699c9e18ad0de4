import Foundation

/// The run state machine (docs/ARCHITECTURE.md draws it): for every event in a run's life, the
/// run's new stored state and the effects written with it, as a function of the run as stored,
/// the event and the injected time. Statuses, what moves a run out of each, and which event each
/// transition emits are decided here and nowhere else; stores apply the `RunChange` atomically.
///
/// | status | moved out by |
/// |---|---|
/// | `PENDING` | `claimed` (→ `RUNNING`), `cancel`, `parentEnded`, `branchCancelled` |
/// | `RUNNING` | `stepsFinished` (next step, retry, suspend, child, branches, end), `executorFailed`, `unreadable`, `cancel`, `timeoutDue`, `parentEnded`, `branchCancelled` |
/// | `WAITING` | `claimed` when due (→ `RUNNING`), `signal` (due now), `childEnded` (due now), `taskFinished` (due now), `cancel`, `timeoutDue`, `parentEnded`, `branchCancelled` |
/// | `FAILED`, `TIMED_OUT` | `retry` (→ `PENDING`) |
/// | `COMPLETED`, `CANCELLED` | nothing |
///
/// Every terminal transition emits the status's event (`RunStatus.eventType`), wakes a waiting
/// parent, cancels active children, and — `FAILED` and `TIMED_OUT` only — starts the definition's
/// failure workflow; a branch run (`RunBranch`) emits no event and starts no failure workflow.
public enum RunLifecycle {
    // MARK: The engine's claim

    /// Whether an engine may claim `run` at `now` (rate limits aside): active, due, and not held
    /// by a live claim.
    public static func isClaimable(_ run: Run, now: Date) -> Bool {
        guard !run.status.isTerminal, let due = run.dueAt, due <= now else { return false }
        return run.claim.map { $0.expiresAt <= now } ?? true
    }

    /// The run once claimed: `PENDING` and `WAITING` become `RUNNING` (a woken run keeps its
    /// `wait`, so the engine finishes the suspended step instead of executing it again), the
    /// start time is set once, and a run leaving `PENDING` gets its workflow-timeout deadline.
    /// Stores apply this in their claim statement, for many runs at once; the store conformance
    /// suite checks that what they store is this.
    public static func claimed(_ run: Run, by claim: RunClaim, now: Date) -> Run {
        var claimed = run
        if run.status == .pending, let timeout = run.timeout {
            claimed.deadlineAt = now.addingTimeInterval(Double(timeout.milliseconds) / 1000)
        }
        if run.status == .pending || run.status == .waiting { claimed.status = .running }
        claimed.startedAt = run.startedAt ?? now
        claimed.claim = claim
        return claimed
    }

    // MARK: Events under the engine's claim

    /// Steps finished: `completions` are consecutive steps of the claimed run, in order (every one
    /// but the last moves to the next step keeping the claim: steps without side effects ran
    /// ahead); their tasks are recorded in order and the last decides what follows (see
    /// `StepCompletion.Next`). `failureWorkflow` is used if the run ends `FAILED` or `TIMED_OUT`.
    public static func stepsFinished(
        _ run: Run, _ completions: [StepCompletion], failureWorkflow: FailureWorkflowTarget = .none, context: LifecycleContext
    ) -> RunChange {
        precondition(
            completions.dropLast().allSatisfy { if case .step = $0.next { $0.keepClaim } else { false } },
            "only the last completion of a batch may leave its step sequence")
        var after = completions.reduce(run) { $0.applying($1) }
        var effects: [RunEffect] = run.wait?.taskQueue != nil ? [.closeTasks] : []
        for completion in completions {
            if let task = completion.task { effects.append(.recordTask(task, parentStepId: completion.parentStepId)) }
            effects += completion.emitted.map { .emit(run.customEvent($0, context: context)) }
        }
        after.executorFailures = 0
        after.dueAt = context.now
        if completions.last?.keepClaim != true { after.claim = nil }
        switch completions.last?.next {
        case .retry(let at):
            after.dueAt = at
        case .suspend(let wait):
            after.wait = wait
            after.dueAt = wait.until
            if let name = wait.signal {
                var data = after.eventData.objectValue ?? [:]
                data["signal"] = .string(name)
                effects.append(
                    .consumeKeptSignal(
                        name: name, stepId: after.currentStepId, otherwise: after.event(.waiting, data: .object(data), context: context)))
            }
        case .startChild(let child, let since):
            after.wait = .child(child.id, since: since)
            after.dueAt = nil
            effects.insert(.startRun(child), at: 0)
        case .startBranches(let branches, let since):
            after.wait = .child(branches[0].id, since: since)
            after.dueAt = nil
            effects.insert(contentsOf: branches.map(RunEffect.startRun), at: 0)
        case .step, .complete, .end, nil:
            break
        }
        if let task = completions.last?.enqueueTask { effects.append(.enqueueTask(task)) }
        if let cancel = completions.last?.cancelBranches {
            effects.append(.cancelBranches(group: cancel.group, reason: cancel.reason))
        }
        var change = RunChange(
            run: after, writesState: completions.contains { !$0.stateChanges.isEmpty }, writesStepResults: true, effects: effects)
        if after.status.isTerminal {
            change = ending(change, status: after.status, error: after.error, failureWorkflow: failureWorkflow, context: context)
        }
        return change
    }

    /// The first executor failure backs off 1 s, each next one twice as long (at most 5 min).
    public static func executorBackoff(afterFailures failures: Int) -> TimeInterval {
        min(300, pow(2, Double(max(0, failures - 1))))
    }

    /// The engine failed to execute the claimed run (an error of the engine, not of a step: a
    /// stored value or definition the code cannot read). The failure is counted; the run is
    /// released and due again after `executorBackoff`, and after `maxFailures` it ends `FAILED`
    /// with error code `internal_error`.
    public static func executorFailed(
        _ run: Run, reason: String, maxFailures: Int, failureWorkflow: FailureWorkflowTarget = .none, context: LifecycleContext
    ) -> RunChange {
        var after = run
        after.executorFailures = run.executorFailures + 1
        guard after.executorFailures >= maxFailures else {
            after.claim = nil
            after.dueAt = context.now.addingTimeInterval(executorBackoff(afterFailures: after.executorFailures))
            return RunChange(run: after)
        }
        let error = RunError(
            code: "internal_error",
            message: "the engine failed to execute the run \(after.executorFailures) times; the last error: \(reason)",
            stepId: run.currentStepId)
        return ending(RunChange(run: after), status: .failed, error: error, failureWorkflow: failureWorkflow, context: context)
    }

    /// The claimed run's stored row cannot be read (`Run.unreadableColumns`): it ends `FAILED`
    /// with its `corrupt_state` error at once (reading it again would fail again).
    public static func unreadable(_ run: Run, failureWorkflow: FailureWorkflowTarget = .none, context: LifecycleContext) -> RunChange {
        let error = RunError(
            code: "corrupt_state",
            message: "the stored run cannot be read (\(run.unreadableColumns.joined(separator: ", "))); it was failed",
            stepId: run.currentStepId)
        var after = run
        after.result = nil
        return ending(RunChange(run: after), status: .failed, error: error, failureWorkflow: failureWorkflow, context: context)
    }

    // MARK: Events from outside the steps (read and applied in one transaction)

    /// `POST /v1/workflows/{id}/cancel`: an active run ends `CANCELLED` with error `cancelled` at
    /// its current step. Clearing the claim abandons a step in flight: the engine's write of it
    /// is then refused and records nothing.
    public static func cancel(_ run: Run, context: LifecycleContext) throws(RunConflict) -> RunChange {
        guard !run.status.isTerminal else { throw RunConflict("run \(run.id) is \(run.status.rawValue)") }
        let stepId = run.currentStepId
        let error = RunError(
            code: "cancelled", message: "cancelled by the API while \(stepId.map { "at step \($0)" } ?? "pending")", stepId: stepId)
        return ending(RunChange(run: run), status: .cancelled, error: error, failureWorkflow: .none, context: context)
    }

    /// The parent of `child` ended: an active child is cancelled with it.
    public static func parentEnded(_ child: Run, parent: Run, context: LifecycleContext) -> RunChange? {
        guard !child.status.isTerminal else { return nil }
        let error = RunError(
            code: "cancelled", message: "cancelled because its parent run \(parent.id) ended \(parent.status.rawValue)",
            stepId: child.currentStepId)
        return ending(RunChange(run: child), status: .cancelled, error: error, failureWorkflow: .none, context: context)
    }

    /// `child` ended: a parent `WAITING` for it becomes due now; the engine then ends its
    /// `workflow.run` step from the child's outcome. A branch run's parent waits for the branch
    /// group (`branches`: every branch run of the group, as stored, `child` included) and
    /// becomes due once the group decides (`ParallelJoin.decision`): exactly once, since it is
    /// not due, hence not claimed, before.
    public static func childEnded(_ parent: Run, child: Run, branches: [Run] = [], context: LifecycleContext) -> RunChange? {
        guard parent.status == .waiting, parent.claim == nil, parent.dueAt == nil, let waited = parent.wait?.childRunId else {
            return nil
        }
        if let branch = child.branch {
            guard branch.group == waited, branch.join.decision(branches) != nil else { return nil }
        } else {
            guard waited == child.id else { return nil }
        }
        var after = parent
        after.dueAt = context.now
        return RunChange(run: after)
    }

    /// The `parallel` step of `branch`'s parent ended (another branch failed or completed first,
    /// `reason` says which): an active branch run is cancelled with it.
    public static func branchCancelled(_ branch: Run, reason: String, context: LifecycleContext) -> RunChange? {
        guard !branch.status.isTerminal else { return nil }
        let error = RunError(code: "cancelled", message: "cancelled because \(reason)", stepId: branch.currentStepId)
        return ending(RunChange(run: branch), status: .cancelled, error: error, failureWorkflow: .none, context: context)
    }

    /// The run's workflow deadline passed (`deadlineAt <= now`): under `TIME_OUT_WF` it ends
    /// `TIMED_OUT` (error `workflow_timeout`; a step in flight is abandoned as by a cancel); under
    /// `ALERT_ONLY` it gets its one `workflow.timeout_alert` event and goes on. `nil` when nothing
    /// is due (the run ended or was retried since it was read).
    public static func timeoutDue(_ run: Run, failureWorkflow: FailureWorkflowTarget = .none, context: LifecycleContext) -> RunChange? {
        guard !run.status.isTerminal, let timeout = run.timeout, let deadline = run.deadlineAt, deadline <= context.now else { return nil }
        let limitText = timeout.seconds.rounded() == timeout.seconds ? String(Int64(timeout.seconds)) : String(timeout.seconds)
        switch timeout.policy {
        case .timeOutWorkflow:
            let error = RunError(
                code: "workflow_timeout", message: "the run did not end within its timeout of \(limitText) s", stepId: run.currentStepId)
            return ending(RunChange(run: run), status: .timedOut, error: error, failureWorkflow: failureWorkflow, context: context)
        case .alertOnly:
            var after = run
            after.deadlineAt = nil
            after.timeoutAlertedAt = context.now
            var data = run.eventData.objectValue ?? [:]
            data["timeoutSeconds"] = timeout.seconds.rounded() == timeout.seconds ? .int(Int(timeout.seconds)) : .double(timeout.seconds)
            return RunChange(run: after, effects: [.emit(run.event(.timeoutAlert, data: .object(data), context: context))])
        }
    }

    /// `POST /v1/workflows/{id}/retry`: a `FAILED` or `TIMED_OUT` run is `PENDING` again at
    /// `stepId` (its failed step, in the main flow), due now, with attempt 1, a fresh step count
    /// and no error, result, deadline or finish time; its tasks, state and step results are kept.
    /// The claim starts it again (a new deadline); a rate limit queues it again.
    public static func retry(_ run: Run, fromStepId stepId: String, context: LifecycleContext) throws(RunConflict) -> RunChange {
        guard run.status == .failed || run.status == .timedOut else {
            throw RunConflict("run \(run.id) is \(run.status.rawValue); only FAILED and TIMED_OUT runs can be retried")
        }
        if let branch = run.branch {
            throw RunConflict(
                "run \(run.id) is branch \(branch.branchId) of step \(branch.stepId) of run \(run.parentRunId ?? "(purged)"); retry that run instead")
        }
        var after = run
        after.status = .pending
        after.currentStepId = stepId
        after.flowMode = .main
        after.attempt = 1
        after.stepsExecuted = 0
        after.result = nil
        after.error = nil
        after.dueAt = context.now
        after.claim = nil
        after.finishedAt = nil
        after.deadlineAt = nil
        after.timeoutAlertedAt = nil
        after.executorFailures = 0
        return RunChange(run: after)
    }

    /// A worker finished `task` (`WorkerTaskResult.payload`): a run `WAITING` for it — at the
    /// task's step and attempt, not woken yet — holds the payload in its wait and is due now (the
    /// engine then ends the `task` step from it). `nil` for any other run: the task's result is
    /// kept on the task only (the step ended or moved on since).
    public static func taskFinished(_ run: Run, task: WorkerTask, payload: JSONValue, context: LifecycleContext) -> RunChange? {
        guard run.status == .waiting, run.claim == nil, let wait = run.wait, wait.taskQueue != nil, wait.payload == nil,
            run.currentStepId == task.stepId, run.attempt == task.stepAttempt
        else { return nil }
        var after = run
        after.wait?.payload = payload
        after.dueAt = context.now
        return RunChange(run: after)
    }

    /// `POST /v1/workflows/{id}/signals/{name}`: the signal is stored. A run `WAITING` for `name`
    /// without a delivered signal consumes it at once: its wait holds the payload and it is due
    /// now (its `await` step then ends `OK` with the payload). Otherwise the signal is kept for the
    /// next `await` of that name (`consumeKeptSignal`).
    public static func signal(_ run: Run, name: String, payload: JSONValue, context: LifecycleContext) throws(RunConflict) -> RunChange {
        guard !run.status.isTerminal else { throw RunConflict("run \(run.id) is \(run.status.rawValue)") }
        let deliver = run.status == .waiting && run.wait?.signal == name && run.wait?.payload == nil && run.claim == nil
        var after = run
        if deliver {
            after.wait?.payload = payload
            after.dueAt = context.now
        }
        let record = RunSignalRecord(
            id: context.newId(), name: name, payload: payload, consumedByStep: deliver ? run.currentStepId : nil, consumed: deliver)
        return RunChange(run: after, effects: [.storeSignal(record)])
    }

    /// `change` (a suspension on an `await`) once the store found a kept signal with `payload`:
    /// the wait holds it and the run is due now; the `workflow.waiting` event is not written.
    public static func keptSignalConsumed(_ change: RunChange, payload: JSONValue, now: Date) -> RunChange {
        var change = change
        change.run.wait?.payload = payload
        change.run.dueAt = now
        change.effects.removeAll { if case .consumeKeptSignal = $0 { true } else { false } }
        return change
    }

    // MARK: Terminal transitions

    /// `change` with its run ended `status`: error, finish time; position, due time, claim, wait
    /// and deadline cleared; the status's event, the parent woken, the children cancelled, and
    /// for `FAILED` and `TIMED_OUT` the failure workflow started — or, when it cannot start, the
    /// reason added to the run's error.
    static func ending(
        _ change: RunChange, status: RunStatus, error: RunError?, failureWorkflow: FailureWorkflowTarget, context: LifecycleContext
    ) -> RunChange {
        var change = change
        var run = change.run
        // Only a run waiting for a worker task has one open.
        let closesTasks = run.wait?.taskQueue != nil
        run.status = status
        run.error = error
        run.currentStepId = nil
        run.dueAt = nil
        run.claim = nil
        run.wait = nil
        run.deadlineAt = nil
        run.startedAt = run.startedAt ?? context.now
        run.finishedAt = context.now
        var started: NewRun?
        if status == .failed || status == .timedOut, run.failureOfRunId == nil, run.branch == nil {
            switch failureWorkflow {
            case .none:
                break
            case .resolved(let target):
                switch target.plan(
                    id: context.newId(), input: failureWorkflowInput(of: run), correlationId: run.correlationId, channel: run.channel,
                    failureOfRunId: run.id, now: context.now)
                {
                case .success(let new): started = new
                case .failure(let refusal): run.error = run.error.map { notStarted($0, name: target.definitionId, refusal) }
                }
            case .refused(let name, let refusal):
                run.error = run.error.map { notStarted($0, name: name, refusal) }
            }
        }
        change.run = run
        // A branch run's end is its parent's business: the parent's end is the event.
        if run.branch == nil, let type = status.eventType.flatMap(WebhookEventType.init(rawValue:)) {
            change.effects.append(.emit(run.event(type, context: context)))
        }
        if let parentId = run.parentRunId { change.effects.append(.wakeParent(runId: parentId)) }
        change.effects.append(.cancelChildren)
        if closesTasks { change.effects.append(.closeTasks) }
        if let started { change.effects.append(.startRun(started)) }
        return change
    }

    /// The input of a failure workflow (SPEC 2.7).
    public static func failureWorkflowInput(of failed: Run) -> JSONValue {
        [
            "failedRunId": .string(failed.id), "failureStatus": .string(failed.status.rawValue),
            "reason": failed.error.map { .string($0.message) } ?? .null,
            "failedStepId": failed.error?.stepId.map(JSONValue.string) ?? .null, "input": failed.input,
        ]
    }

    private static func notStarted(_ error: RunError, name: String, _ refusal: RunRefusal) -> RunError {
        var error = error
        error.message += " (its failureWorkflow \(name) was not started: \(refusal))"
        return error
    }
}
