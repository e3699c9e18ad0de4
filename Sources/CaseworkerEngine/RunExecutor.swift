import CaseworkerCore
import CaseworkerStore
import Foundation
import Logging

/// Executes the steps of one claimed run, one after another, committing each attempt's outcome
/// (and the run's next position) before it starts a step with side effects; steps without side
/// effects run ahead and commit together with the steps before them (`mayRunAhead`).
///
/// It stops when the run ends, must wait (a retry's delay, a `wait` timer, an `await`), or the
/// engine is stopping; then the claim is released and the engine's loop takes the run up again
/// when it is due. A step interrupted by a crash or by the end of the shutdown grace leaves no
/// record and runs again with the same attempt number (hence the same `Idempotency-Key`).
///
/// A suspended step (`wait`, `await`, `workflow.run`, `parallel`, `task`) records no task when it
/// suspends; when the run is claimed again with its `wait` still set, the step is not executed
/// again but finished from the wait: `OK` for a timer or a delivered signal, `TIMEOUT` for an
/// await whose timeout passed; from the child run, the branch group (`joinBranches`) or the
/// worker's result (`taskResult`) for the others.
///
/// A run cancelled, timed out or taken over while one of its steps is in flight: the step's
/// result is discarded (`commit` refuses it with a conflict), and the executor logs that and
/// stops. An error of the executor itself (a stored value or definition this code cannot read)
/// is counted on the run (`RunLifecycle.executorFailed`): the run backs off, and after
/// `maxExecutorFailures` it ends `FAILED` with `internal_error`.
///
/// Every change of the run is decided by `RunLifecycle`; the executor runs steps and plans.
struct RunExecutor: Sendable {
    let store: any EngineStore
    let definitions: DefinitionCache
    let planner: RunPlanner
    let actions: ActionRegistry
    let clock: any WallClock
    let ids: ULIDGenerator
    let owner: String
    let maxStepsPerRun: Int
    /// `engine.maxExecutorFailures`: executor failures after which a run ends `internal_error`.
    let maxExecutorFailures: Int
    /// `engine.maxBranches`: the most branches a `parallel` step starts.
    let maxBranches: Int
    /// The bounds on what steps produce (resolved config, output, state, result) and on each
    /// evaluation; a step past one ends `KO` with `value_too_deep`, `value_too_large` or
    /// `expression_budget_exceeded`.
    let limits: ValueLimits
    let metrics: EngineMetrics
    let logger: Logger
    /// The engine's claims: a claim this executor cannot release is left to the heartbeat.
    let claims: HeldClaims
    let isStopping: @Sendable () -> Bool

    /// Runs `claimed` as far as it goes. Returns `false` when an error of the executor stopped it.
    func execute(_ claimed: Run) async -> Bool {
        var run = claimed
        var logger = self.logger
        logger[metadataKey: "run_id"] = .string(run.id)
        logger[metadataKey: "case_id"] = .string(run.caseId)
        metrics.runsInFlight.increment()
        defer { metrics.runsInFlight.decrement() }
        // The run as the store last wrote it, and the completions not committed yet.
        var committed = run
        do {
            if !run.unreadableColumns.isEmpty {
                try await end(run, logger: logger) { RunLifecycle.unreadable(run, failureWorkflow: $0, context: $1) }
                return true
            }
            let definition = try await definition(of: run)
            let caseRecord = try await store.findCase(tenantId: run.tenantId, id: run.caseId)
            var pending: [StepCompletion] = []
            while true {
                let completion = try await step(run: run, definition: definition, caseRecord: caseRecord)
                pending.append(completion)
                if Self.mayRunAhead(after: completion, pending: pending.count, definition: definition, actions: actions), !isStopping() {
                    run = run.applying(completion)
                    continue
                }
                run = try await commit(pending, after: committed, definition: definition)
                (committed, pending) = (run, [])
                if run.status.isTerminal {
                    metrics.runFinished(run.status)
                    logger.info("run finished", metadata: ["status": .string(run.status.rawValue), "steps": .stringConvertible(run.stepsExecuted)])
                    return true
                }
                guard completion.keepClaim else { return true }
                if isStopping() {
                    try await store.releaseClaim(runId: run.id, owner: owner)
                    return true
                }
            }
        } catch StoreError.conflict(let reason) {
            // The run was cancelled, timed out or taken over while its step was in flight: nothing
            // of the step is recorded, and the claim is no longer this engine's.
            logger.info("step result discarded: the run changed while the step was in flight", metadata: ["reason": .string(reason)])
            return true
        } catch is CancellationError {
            // The shutdown grace ran out during a step: nothing was recorded, the claim is released
            // at the next start (or expires), and the step runs again then.
            logger.notice("step abandoned at shutdown; it runs again after restart")
            return true
        } catch {
            await executorFailed(committed, error: error, logger: logger)
            return false
        }
    }

    /// The parsed definition version of `run` (parsed once per process).
    func definition(of run: Run) async throws -> WorkflowDefinition {
        let versionId = run.versionId
        return try await definitions.definition(versionId: versionId) { try await store.definitionContent(versionId: versionId) }
    }

    /// The time and ids of the changes the executor decides.
    private func context() -> LifecycleContext {
        let (ids, clock) = (self.ids, self.clock)
        return LifecycleContext(now: clock.now, newId: { ids.next(at: clock.now) })
    }

    /// Counts an error of the executor on `run` (`RunLifecycle.executorFailed`): one error line,
    /// the metric, and the run released to back off, or ended `internal_error` at the limit.
    private func executorFailed(_ run: Run, error: any Error, logger: Logger) async {
        metrics.executorFailed()
        let failures = run.executorFailures + 1
        logger.error(
            "run execution failed", metadata: ["error": "\(error)", "failures": .stringConvertible(failures), "max": .stringConvertible(maxExecutorFailures)])
        do {
            if failures >= maxExecutorFailures {
                try await end(run, logger: logger) {
                    RunLifecycle.executorFailed(run, reason: "\(error)", maxFailures: maxExecutorFailures, failureWorkflow: $0, context: $1)
                }
            } else {
                let context = context()
                _ = try await store.commit(
                    RunLifecycle.executorFailed(run, reason: "\(error)", maxFailures: maxExecutorFailures, context: context), owner: owner,
                    context: context)
            }
        } catch {
            logger.error("recording the execution failure failed; the claim is released (or expires)", metadata: ["error": "\(error)"])
            do {
                try await store.releaseClaim(runId: run.id, owner: owner)
            } catch {
                claims.releaseFailed(run.id)
            }
        }
    }

    /// Ends the claimed `run` with `change` (given its failure workflow, resolved here), and
    /// counts and logs the end.
    private func end(
        _ run: Run, logger: Logger, _ change: (FailureWorkflowTarget, LifecycleContext) -> RunChange
    ) async throws {
        let definition = try? await definition(of: run)
        let failureWorkflow = try await planner.failureWorkflow(of: run, definition: definition)
        let context = context()
        let ended = try await store.commit(change(failureWorkflow, context), owner: owner, context: context)
        metrics.runFinished(ended.status)
        logger.error(
            "run failed", metadata: ["code": .string(ended.error?.code ?? ""), "error": .string(ended.error?.message ?? "")])
    }

    /// Commits `completions` (`RunLifecycle.stepsFinished`), with the failure workflow resolved
    /// when they end the run `FAILED` or `TIMED_OUT`. While the storage is full the step's work
    /// is kept and the commit tried again, after 1 s, then up to 30 s apart, until it succeeds or
    /// the engine stops (then the claim is released at the next start and the step runs again).
    private func commit(_ completions: [StepCompletion], after run: Run, definition: WorkflowDefinition) async throws -> Run {
        let ending = completions.reduce(run) { $0.applying($1) }.status
        let failureWorkflow =
            ending == .failed || ending == .timedOut ? try await planner.failureWorkflow(of: run, definition: definition) : .none
        var delay = Duration.seconds(1)
        while true {
            let context = context()
            do {
                return try await store.commit(
                    RunLifecycle.stepsFinished(run, completions, failureWorkflow: failureWorkflow, context: context), owner: owner,
                    context: context)
            } catch StoreError.storageFull where !isStopping() {
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(30))
            }
        }
    }

    /// The most steps run ahead of a commit (a loop of pure steps still commits regularly).
    static let maxStepsPerCommit = 16

    /// Whether the step after `completion` may run before `completion` is committed: its action
    /// must have no side effects outside the run (`Action.hasSideEffects`: `transform`, `switch`,
    /// `complete`, `fail`), reached keeping the claim. A crash before the commit then loses only
    /// work that runs again the same way after the restart: the pure steps, and the step before
    /// them, which runs again as any step interrupted by a crash does (an `http.request` with the
    /// same `Idempotency-Key`). A step with side effects never starts before everything before it
    /// is committed.
    static func mayRunAhead(after completion: StepCompletion, pending: Int, definition: WorkflowDefinition, actions: ActionRegistry) -> Bool {
        guard completion.keepClaim, case .step(let nextId, _) = completion.next, pending < maxStepsPerCommit,
            let next = definition.step(nextId)
        else { return false }
        return !actions.hasSideEffects(next.action)
    }

    /// Executes the current step of `run` once and decides what follows.
    func step(run: Run, definition: WorkflowDefinition, caseRecord: Case?) async throws -> StepCompletion {
        let start = ContinuousClock.now
        var completion = try await decide(run: run, definition: definition, caseRecord: caseRecord)
        if let task = completion.task { metrics.stepFinished(action: task.action, outcome: task.outcome.status, duration: ContinuousClock.now - start) }
        if completion.task != nil, let stepId = run.currentStepId { completion.parentStepId = definition.graph.owner(of: stepId) }
        if let child = run.wait?.childRunId { completion.task?.childRunId = child }
        return completion
    }

    private func decide(run: Run, definition: WorkflowDefinition, caseRecord: Case?) async throws -> StepCompletion {
        guard let stepId = run.currentStepId, let step = definition.step(stepId) else {
            throw EngineError.missingStep(run.currentStepId ?? "(none)")
        }
        if run.stepsExecuted >= maxStepsPerRun {
            let error = RunError(
                code: "step_limit_exceeded", message: "the run executed \(run.stepsExecuted) steps, the limit", stepId: stepId)
            return StepCompletion(task: nil, parentStepId: nil, stateChanges: [:], stepResult: nil, next: .end(.failed), error: error, keepClaim: false)
        }

        let startedAt: Date
        var parameters = JSONValue.null
        var result: ActionResult
        var joined: JoinedBranches?
        if let wait = run.wait, let parallel = step.parallel {
            // Woken by its branch group's decisive end.
            startedAt = wait.since
            switch try await joinBranches(parallel, step: step, of: run, wait: wait) {
            case .waiting(let wait): return suspend(wait)
            case .ended(let ended, let join): (result, joined) = (ended, join)
            }
        } else if let parallel = step.parallel {
            startedAt = clock.now
            switch startBranches(parallel, step: step, of: run, startedAt: startedAt) {
            case .success(let branches):
                return StepCompletion(
                    task: nil, parentStepId: nil, stateChanges: [:], stepResult: nil, next: .startBranches(branches, since: startedAt),
                    keepClaim: false)
            case .failure(let failure):
                result = .ko(failure.code, failure.message)
            }
        } else if let wait = run.wait {
            // Waking a suspended step: it is finished from its wait, not executed again.
            startedAt = wait.since
            let context = RunContext.evaluation(run: run, caseRecord: caseRecord, now: startedAt, limits: limits)
            parameters = (try? step.config.evaluate(in: context)).map { SecretMasking.masked($0, action: step.action) } ?? .null
            if let childId = wait.childRunId {
                // Woken by the child's end; a child still active (not expected) keeps the step waiting.
                guard let child = try await store.findRun(tenantId: run.tenantId, id: childId), child.status.isTerminal else {
                    return suspend(wait)
                }
                result = Self.childResult(child)
            } else if wait.taskQueue != nil {
                result = Self.taskResult(wait)
                if let worker = wait.payload?["worker"], case .object(var shown) = parameters {
                    shown["worker"] = worker
                    parameters = .object(shown)
                }
            } else {
                result = Self.wakeResult(wait)
            }
        } else {
            startedAt = clock.now
            result = await attempt(step, of: run, context: RunContext.evaluation(run: run, caseRecord: caseRecord, now: startedAt, limits: limits)) {
                parameters = SecretMasking.masked($0, action: step.action)
            }
            try Task.checkCancellation()
            if case .suspend(let suspension) = result {
                switch suspension {
                case .timer(let seconds) where seconds > 0:
                    return suspend(RunWait.timer(until: startedAt.addingTimeInterval(seconds), since: startedAt))
                case .until(let date) where date > clock.now:
                    return suspend(RunWait.timer(until: date, since: startedAt))
                case .until(let date):
                    // Already due: the timer fires at once.
                    result = Self.wakeResult(RunWait.timer(until: date, since: startedAt))
                case .timer:
                    result = Self.wakeResult(RunWait.timer(until: startedAt, since: startedAt))
                case .signal(let name, let timeoutSeconds):
                    return suspend(RunWait(signal: name, until: timeoutSeconds.map { startedAt.addingTimeInterval($0) }, since: startedAt))
                case .task(let request):
                    let deadline = startedAt.addingTimeInterval(request.timeoutSeconds)
                    var completion = suspend(.task(queue: request.queue, until: deadline, since: startedAt))
                    completion.enqueueTask = WorkerTask(
                        id: "task_" + ids.next(at: startedAt), tenantId: run.tenantId, runId: run.id, caseId: run.caseId, stepId: step.id,
                        stepAttempt: run.attempt, queue: request.queue, input: request.input, leaseSeconds: request.leaseSeconds,
                        deadline: deadline, createdAt: startedAt)
                    return completion
                case .child(let request):
                    switch try await planChild(request, parent: run) {
                    case .success(let child):
                        return StepCompletion(
                            task: nil, parentStepId: nil, stateChanges: [:], stepResult: nil, next: .startChild(child, since: startedAt),
                            keepClaim: false)
                    case .failure(let refusal):
                        result = .ko(refusal.childCode, "\(refusal)")
                    }
                }
            }
        }
        let finishedAt = clock.now

        var outcome: StepOutcome
        var output = JSONValue.null
        var errorText: String?
        var stateChanges: [String: JSONValue] = [:]
        var retryable = false
        var emitted: [EmittedEvent] = []
        switch result {
        case .outcome(let o, let out, let error, let canRetry, let changes):
            (outcome, output, errorText, retryable, stateChanges) = (o, out, error, canRetry, changes)
        case .publish(let type, let data):
            let event = EmittedEvent(id: "msg_" + ids.next(at: finishedAt), type: type, stepId: step.id, payload: data)
            (outcome, output) = (.ok, ["type": .string(type.rawValue), "eventId": .string(event.id)])
            emitted = [event]
        case .completeRun(let out):
            (outcome, output) = (.ok, out)
        case .failRun(let reason, let code):
            (outcome, errorText) = (StepOutcome(.ko, code: code ?? "failed"), reason)
        case .suspend:
            // Resolved above; a suspension cannot reach here.
            (outcome, errorText) = (StepOutcome(.ko, code: "action_error"), "an unexpected suspension")
        }
        // Nothing is stored that passes a bound: the step ends KO instead, its output dropped.
        if let (code, message) = limitProblem(output: output, stateChanges: stateChanges, state: run.state) {
            (outcome, output, errorText, retryable, stateChanges) = (StepOutcome(.ko, code: code), .null, message, false, [:])
            if case .completeRun = result { result = .ko(code, message) }
        }

        var finished = FinishedAttempt(
            step: step, run: run, parameters: parameters, startedAt: startedAt, finishedAt: finishedAt, outcome: outcome, output: output,
            errorText: errorText, stateChanges: stateChanges, emitted: emitted, taskId: ids.next(at: finishedAt), joined: joined)

        // Retry a retryable failure while the policy allows: a durable wait, then the same step.
        if case .outcome = result, outcome.isFailure, retryable {
            var random = SystemRandomNumberGenerator()
            if let delay = definition.retryPolicy(for: step).delay(afterAttempt: run.attempt, random: &random) {
                return finished.completion(next: .retry(at: finishedAt.addingTimeInterval(delay)), keepClaim: false)
            }
        }

        var after = run
        after.state.merge(stateChanges) { _, new in new }
        after.stepResults.merge(joined?.stepResults ?? [:]) { _, branch in branch }
        after.stepResults[step.id] = RunContext.stepResult(output: output, outcome: outcome, attempt: run.attempt)
        let context = RunContext.evaluation(run: after, caseRecord: caseRecord, now: finishedAt, limits: limits)

        switch result {
        case .completeRun:
            return finishRun(finished, definition, context)
        case .failRun:
            let error = RunError(code: outcome.code ?? "failed", message: errorText ?? "failed", stepId: step.id)
            return finished.completion(next: .end(.failed), error: error, keepClaim: false)
        case .outcome, .suspend, .publish:
            break
        }

        let decision = definition.transition(after: FlowPosition(stepId: step.id, mode: run.flowMode), outcome: outcome) {
            (template: Template) throws(ExpressionError) -> JSONValue in try template.evaluate(in: context)
        }
        if decision.outcome != outcome {
            outcome = decision.outcome
            errorText = decision.whenError.map { "a next rule's when failed: \($0)" } ?? errorText
            (finished.outcome, finished.errorText) = (outcome, errorText)
        }
        let failure = RunError(
            code: outcome.code ?? outcome.status.rawValue.lowercased(),
            message: errorText ?? "step \(step.id) ended \(outcome.status.rawValue)", stepId: step.id)
        switch decision.transition {
        case .step(let position):
            let entersRescue = run.flowMode == .main && position.mode != .main
            return finished.completion(next: .step(position.stepId, mode: position.mode), error: entersRescue ? failure : nil, keepClaim: true)
        case .complete:
            return finishRun(finished, definition, context)
        case .end(let runFailure):
            return finished.completion(next: .end(runFailure.status), error: run.flowMode == .main ? failure : (run.error ?? failure), keepClaim: false)
        }
    }

    /// The child run of a `workflow.run` step, planned as every run is (`RunPlanner`) for the
    /// parent's case, inheriting its correlation id and channel. A refusal ends the step `KO` with
    /// `RunRefusal.childCode` at once (the same request would be refused again).
    private func planChild(_ request: ChildRunRequest, parent: Run) async throws -> Result<NewRun, RunRefusal> {
        try await planner.resolve(
            tenantId: parent.tenantId, caseId: parent.caseId, definitionId: request.definitionId, version: request.version,
            parametersId: request.parametersId
        ).flatMap {
            $0.plan(
                id: ids.next(at: clock.now), input: request.input, correlationId: parent.correlationId, channel: parent.channel,
                parent: parent, now: clock.now)
        }
    }

    /// The current step suspends: no task yet; the store makes the run `WAITING` and releases it.
    private func suspend(_ wait: RunWait) -> StepCompletion {
        StepCompletion(task: nil, parentStepId: nil, stateChanges: [:], stepResult: nil, next: .suspend(wait), keepClaim: false)
    }

    /// How a suspended step ends when its run is woken: a timer or a delivered signal is `OK`
    /// (output `{waitedUntil}`, or the signal's payload); an await woken without a signal timed out.
    static func wakeResult(_ wait: RunWait) -> ActionResult {
        guard let name = wait.signal else {
            return .ok(["waitedUntil": .string(Timestamp.rfc3339(wait.until ?? wait.since))])
        }
        if let payload = wait.payload { return .ok(payload) }
        let deadline = wait.until.map { " by \(Timestamp.rfc3339($0))" } ?? ""
        return .outcome(
            StepOutcome(.timeout), output: .null, error: "no signal \(name) arrived\(deadline)", retryable: false, stateChanges: [:])
    }

    /// How a `task` step ends when its run is woken: from the worker's result in the wait
    /// (`WorkerTaskResult.payload`), or `TIMEOUT` (retryable) when none came by the deadline.
    static func taskResult(_ wait: RunWait) -> ActionResult {
        guard let payload = wait.payload else {
            let deadline = wait.until.map { " by \(Timestamp.rfc3339($0))" } ?? ""
            return .outcome(
                StepOutcome(.timeout), output: .null, error: "no worker finished the task on queue \(wait.taskQueue ?? "")\(deadline)",
                retryable: true, stateChanges: [:])
        }
        if payload["status"] == "OK" { return .ok(payload["output"] ?? .null) }
        return .ko(
            payload["code"]?.stringValue ?? "task_failed", payload["message"]?.stringValue ?? "the worker failed the task",
            retryable: payload["retryable"] == true)
    }

    /// How a `workflow.run` step ends once its child has ended: `OK` with the child's result when
    /// it completed; otherwise `KO` with code = the child's status (`FAILED`, `TIMED_OUT`,
    /// `CANCELLED`) and output `{runId, status, error}`. Not retried (a retry would start a new child).
    static func childResult(_ child: Run) -> ActionResult {
        if child.status == .completed { return .ok(child.result ?? .null) }
        let reason = child.error.map { ": \($0.message)" } ?? ""
        return .ko(
            child.status.rawValue, "the child run \(child.id) ended \(child.status.rawValue)\(reason)",
            output: ["runId": .string(child.id), "status": .string(child.status.rawValue), "error": child.error?.json ?? .null])
    }

    /// Resolves the config and runs the action under the step's timeout. Never throws except
    /// for cancellation: every failure is an outcome.
    private func attempt(
        _ step: Step, of run: Run, context: EvaluationContext, resolved: (JSONValue) -> Void
    ) async -> ActionResult {
        let config: JSONValue
        do {
            config = try step.config.evaluate(in: context)
        } catch {
            return .ko(error.code, "\(error)")
        }
        if let violation = limits.violation(of: config) {
            return .ko(violation.code, "the step's resolved config: \(violation) (\(Self.limitKey(violation)))")
        }
        resolved(config)
        // Null never decides: a switch on a null value branches nowhere.
        if let error = step.nullSwitchValue(in: config) { return .ko("expression_error", "\(error)") }
        // Numeric members computed by templates are checked now, with the save-time rules.
        let invalid = ComputedNumber.problems(step.action, resolved: config)
        if !invalid.isEmpty { return .ko("invalid_config", "the computed config is invalid: \(invalid.joined(separator: "; "))") }
        guard let action = actions[step.action] else {
            return .ko("unsupported_action", "the action \(step.action.rawValue) is not supported by this release")
        }
        let input = ActionInput(
            runId: run.id, stepId: step.id, attempt: run.attempt, config: config,
            stepTimeout: step.timeoutSeconds.map { .milliseconds(Int64($0 * 1000)) })
        do {
            guard let timeout = input.stepTimeout else { return try await action.execute(input) }
            return try await withThrowingTaskGroup(of: ActionResult?.self) { group in
                group.addTask { try await action.execute(input) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                let first = try await group.next()!
                group.cancelAll()
                return first
                    ?? .outcome(
                        StepOutcome(.timeout), output: .null, error: "the step did not finish within \(step.timeoutSeconds!) s",
                        retryable: true, stateChanges: [:])
            }
        } catch is CancellationError {
            return .ko("cancelled", "cancelled")
        } catch {
            return .ko("action_error", "\(error)")
        }
    }

    /// The run completes: its result is the definition's `output`, else the step's output (a
    /// branch run's is always its last step's output).
    private func finishRun(_ finished: FinishedAttempt, _ definition: WorkflowDefinition, _ context: EvaluationContext) -> StepCompletion {
        guard let template = definition.output, finished.run.branch == nil else { return finished.completion(next: .complete(result: finished.output), keepClaim: false) }
        let stepId = finished.step.id
        do {
            let result = try template.evaluate(in: context)
            if let violation = limits.violation(of: result) {
                let failure = RunError(
                    code: violation.code, message: "the definition's output: \(violation) (\(Self.limitKey(violation)))", stepId: stepId)
                return finished.completion(next: .end(.failed), error: failure, keepClaim: false)
            }
            return finished.completion(next: .complete(result: result), keepClaim: false)
        } catch {
            let failure = RunError(code: error.code, message: "the definition's output failed: \(error)", stepId: stepId)
            return finished.completion(next: .end(.failed), error: failure, keepClaim: false)
        }
    }

    /// Why a step's output, or the state its changes make, passes a bound (`limits`): the code
    /// and message it ends `KO` with; `nil` when both fit.
    func limitProblem(output: JSONValue, stateChanges: [String: JSONValue], state: [String: JSONValue]) -> (String, String)? {
        if let violation = limits.violation(of: output) {
            return (violation.code, "the step's output: \(violation) (\(Self.limitKey(violation)))")
        }
        guard !stateChanges.isEmpty else { return nil }
        let changed = state.merging(stateChanges) { _, new in new }
        // State values sit one level down, in the state object.
        let stateLimits = ValueLimits(
            maxDepth: limits.maxDepth + 1, maxBytes: limits.maxStateBytes, maxStateBytes: limits.maxStateBytes,
            evaluationBudget: limits.evaluationBudget, maxRateKeyBytes: limits.maxRateKeyBytes)
        if let violation = stateLimits.violation(of: .object(changed)) {
            let key = if case .tooLarge = violation { "limits.maxStateBytes" } else { "limits.maxValueDepth" }
            return (violation.code, "the run's state: \(violation) (\(key))")
        }
        return nil
    }

    /// The configuration key of the bound `violation` names.
    static func limitKey(_ violation: ValueLimits.Violation) -> String {
        if case .tooLarge = violation { "limits.maxValueBytes" } else { "limits.maxValueDepth" }
    }
}

/// A step attempt that has finished, and what it produced: the completions of its step are made
/// from it (`completion`), whatever follows.
struct FinishedAttempt {
    var step: Step
    var run: Run
    /// The resolved config, masked (`SecretMasking`).
    var parameters: JSONValue
    var startedAt: Date
    var finishedAt: Date
    var outcome: StepOutcome
    var output: JSONValue
    var errorText: String?
    var stateChanges: [String: JSONValue]
    /// The custom events the attempt published (`event.emit`).
    var emitted: [EmittedEvent]
    var taskId: String
    /// A `parallel` step's branches, once joined.
    var joined: JoinedBranches?

    /// The attempt's task and `steps.<id>` result, followed by `next`.
    func completion(next: StepCompletion.Next, error: RunError? = nil, keepClaim: Bool) -> StepCompletion {
        let task = RunTask(
            id: taskId, runId: run.id, stepId: step.id, name: step.name, action: step.action.rawValue, attempt: run.attempt,
            outcome: outcome, parameters: parameters, output: output, error: errorText, parentTaskId: nil, startedAt: startedAt,
            finishedAt: finishedAt)
        var completion = StepCompletion(
            task: task, parentStepId: nil, stateChanges: stateChanges,
            stepResult: RunContext.stepResult(output: output, outcome: outcome, attempt: run.attempt), next: next, error: error,
            keepClaim: keepClaim, emitted: emitted)
        completion.cancelBranches = joined?.cancel
        completion.branchSteps = joined?.steps ?? 0
        completion.branchStepResults = joined?.stepResults ?? [:]
        return completion
    }
}
