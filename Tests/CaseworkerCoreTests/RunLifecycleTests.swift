import CaseworkerCore
import Foundation
import Testing

/// The run state machine without I/O: every status × event against the table below, then the
/// effects of each transition.
@Suite struct RunLifecycleTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let context = LifecycleContext(now: now, newId: { "01ID" })

    /// A run in `status`, as stored: waiting ones wait for the signal `go`; terminal ones ended
    /// `FAILED` at step `a` with their finish time; claimed ones (running) are claimed by `e1`.
    static func run(_ status: RunStatus, parent: String? = nil) -> Run {
        var run = Run(
            id: "r1", tenantId: "t", caseId: "c", workflowDefinitionId: "d", version: 1, versionId: "v1", parametersId: nil,
            status: status, currentStepId: status.isTerminal ? nil : "a", flowMode: .main, attempt: 1, stepsExecuted: 1,
            input: ["x": 1], params: [:], state: ["s": 1], stepResults: [:], correlationId: "k", channel: nil, result: nil,
            error: status.isTerminal && status != .completed ? RunError(code: "KO", message: "failed", stepId: "a") : nil,
            dueAt: status.isTerminal || status == .waiting ? nil : now.addingTimeInterval(-1), createdAt: now.addingTimeInterval(-60),
            startedAt: status == .pending ? nil : now.addingTimeInterval(-30),
            finishedAt: status.isTerminal ? now.addingTimeInterval(-5) : nil, parentRunId: parent, depth: parent == nil ? 0 : 1,
            timeout: RunTimeout(seconds: 10, policy: .timeOutWorkflow),
            deadlineAt: status == .pending || status.isTerminal ? nil : now.addingTimeInterval(-1))
        if status == .waiting { run.wait = RunWait(signal: "go", until: nil, since: now.addingTimeInterval(-10)) }
        if status == .running { run.claim = RunClaim(owner: "e1", expiresAt: now.addingTimeInterval(5)) }
        return run
    }

    enum Event: String, CaseIterable {
        case complete, executorFailedLast, cancel, parentEnded, childEnded, timeoutDue, retry, signal
    }

    /// What follows: the status after, and the webhook events written; `nil`: no change;
    /// "conflict": refused with a `RunConflict`.
    enum Expected: Equatable {
        case to(RunStatus, events: [WebhookEventType])
        case unchanged
        case conflict
    }

    /// The table. Engine events (`complete`, `executorFailedLast`) only ever apply to a claimed,
    /// `RUNNING` run: the store refuses them otherwise, so they are listed for `RUNNING` only.
    static let table: [RunStatus: [Event: Expected]] = [
        .pending: [
            .cancel: .to(.cancelled, events: [.cancelled]), .parentEnded: .to(.cancelled, events: [.cancelled]),
            .childEnded: .unchanged, .timeoutDue: .unchanged, .retry: .conflict, .signal: .to(.pending, events: []),
        ],
        .running: [
            .complete: .to(.completed, events: [.completed]), .executorFailedLast: .to(.failed, events: [.failed]),
            .cancel: .to(.cancelled, events: [.cancelled]), .parentEnded: .to(.cancelled, events: [.cancelled]),
            .childEnded: .unchanged, .timeoutDue: .to(.timedOut, events: [.timedOut]), .retry: .conflict,
            .signal: .to(.running, events: []),
        ],
        .waiting: [
            .cancel: .to(.cancelled, events: [.cancelled]), .parentEnded: .to(.cancelled, events: [.cancelled]),
            .childEnded: .unchanged, .timeoutDue: .to(.timedOut, events: [.timedOut]), .retry: .conflict,
            .signal: .to(.waiting, events: []),
        ],
        .completed: [
            .cancel: .conflict, .parentEnded: .unchanged, .childEnded: .unchanged, .timeoutDue: .unchanged, .retry: .conflict,
            .signal: .conflict,
        ],
        .failed: [
            .cancel: .conflict, .parentEnded: .unchanged, .childEnded: .unchanged, .timeoutDue: .unchanged,
            .retry: .to(.pending, events: []), .signal: .conflict,
        ],
        .timedOut: [
            .cancel: .conflict, .parentEnded: .unchanged, .childEnded: .unchanged, .timeoutDue: .unchanged,
            .retry: .to(.pending, events: []), .signal: .conflict,
        ],
        .cancelled: [
            .cancel: .conflict, .parentEnded: .unchanged, .childEnded: .unchanged, .timeoutDue: .unchanged, .retry: .conflict,
            .signal: .conflict,
        ],
    ]

    static func apply(_ event: Event, to run: Run) -> Result<RunChange?, RunConflict> {
        let parent = Self.run(.cancelled)
        let child = Self.run(.completed)
        do throws(RunConflict) {
            switch event {
            case .complete:
                let completion = StepCompletion(
                    task: nil, parentStepId: nil, stateChanges: [:], stepResult: nil, next: .complete(result: ["ok": true]),
                    keepClaim: false)
                return .success(RunLifecycle.stepsFinished(run, [completion], context: context))
            case .executorFailedLast:
                return .success(RunLifecycle.executorFailed(run, reason: "boom", maxFailures: 1, context: context))
            case .cancel: return .success(try RunLifecycle.cancel(run, context: context))
            case .parentEnded: return .success(RunLifecycle.parentEnded(run, parent: parent, context: context))
            case .childEnded: return .success(RunLifecycle.childEnded(run, child: child, context: context))
            case .timeoutDue: return .success(RunLifecycle.timeoutDue(run, context: context))
            case .retry: return .success(try RunLifecycle.retry(run, fromStepId: "a", context: context))
            case .signal: return .success(try RunLifecycle.signal(run, name: "other", payload: .null, context: context))
            }
        } catch {
            return .failure(error)
        }
    }

    static func emitted(_ change: RunChange) -> [WebhookEventType] {
        change.effects.compactMap { if case .emit(let event) = $0 { event.type } else { nil } }
    }

    @Test(arguments: RunStatus.allCases)
    func everyEventFromEveryStatusFollowsTheTable(status: RunStatus) throws {
        let row = try #require(Self.table[status])
        for (event, expected) in row {
            let actual: Expected =
                switch Self.apply(event, to: Self.run(status)) {
                case .failure: .conflict
                case .success(nil): .unchanged
                case .success(let change?): .to(change.run.status, events: Self.emitted(change))
                }
            #expect(actual == expected, "\(status.rawValue) + \(event.rawValue)")
        }
        // Every event but the engine's is listed for every status.
        #expect(Set(row.keys).isSuperset(of: Event.allCases.filter { $0 != .complete && $0 != .executorFailedLast }))
    }

    @Test func everyTerminalTransitionClearsThePositionAndWakesTheParentAndCancelsChildren() throws {
        for status in [RunStatus.pending, .running, .waiting] {
            let change = try RunLifecycle.cancel(Self.run(status, parent: "p1"), context: Self.context)
            let run = change.run
            #expect(run.finishedAt == Self.now && run.dueAt == nil && run.claim == nil && run.wait == nil && run.currentStepId == nil)
            #expect(run.error?.code == "cancelled" && run.error?.stepId == "a")
            #expect(change.effects.contains(.wakeParent(runId: "p1")) && change.effects.contains(.cancelChildren))
            #expect(!change.writesState && !change.writesStepResults)
        }
    }

    @Test func theClaimStartsAPendingRunWithItsDeadlineAndWakesAWaitingOneKeepingItsWait() {
        let claim = RunClaim(owner: "e2", expiresAt: Self.now.addingTimeInterval(6))
        let pending = RunLifecycle.claimed(Self.run(.pending), by: claim, now: Self.now)
        #expect(pending.status == .running && pending.startedAt == Self.now && pending.claim == claim)
        #expect(pending.deadlineAt == Self.now.addingTimeInterval(10))
        let waiting = RunLifecycle.claimed(Self.run(.waiting), by: claim, now: Self.now)
        #expect(waiting.status == .running && waiting.wait?.signal == "go" && waiting.deadlineAt == Self.run(.waiting).deadlineAt)
    }

    @Test func aClaimIsClaimableOnceExpiredAndAWaitingRunOnlyWhenDue() {
        var run = Self.run(.running)
        #expect(!RunLifecycle.isClaimable(run, now: Self.now))
        run.claim?.expiresAt = Self.now
        #expect(RunLifecycle.isClaimable(run, now: Self.now))
        #expect(!RunLifecycle.isClaimable(Self.run(.waiting), now: Self.now))
        #expect(!RunLifecycle.isClaimable(Self.run(.failed), now: Self.now))
    }

    @Test func executorFailuresBackOffThenEndTheRunWithInternalError() {
        var run = Self.run(.running)
        var delays: [TimeInterval] = []
        for _ in 1..<5 {
            let change = RunLifecycle.executorFailed(run, reason: "unreadable definition", maxFailures: 5, context: Self.context)
            #expect(change.run.status == .running && change.run.claim == nil && Self.emitted(change).isEmpty)
            delays.append(change.run.dueAt!.timeIntervalSince(Self.now))
            run = change.run
        }
        #expect(delays == [1, 2, 4, 8])
        let last = RunLifecycle.executorFailed(run, reason: "unreadable definition", maxFailures: 5, context: Self.context)
        #expect(last.run.status == .failed && last.run.error?.code == "internal_error" && Self.emitted(last) == [.failed])
        #expect(last.run.error?.message.contains("5 times") == true && last.run.executorFailures == 5)
        // A step that moves the run on resets the count.
        let moved = RunLifecycle.stepsFinished(
            run, [StepCompletion(task: nil, parentStepId: nil, stateChanges: [:], stepResult: nil, next: .step("b", mode: .main), keepClaim: true)],
            context: Self.context)
        #expect(moved.run.executorFailures == 0 && moved.run.claim == run.claim)
    }

    @Test func aSignalIsDeliveredToTheAwaitThatWaitsForItAndKeptOtherwise() throws {
        let delivered = try RunLifecycle.signal(Self.run(.waiting), name: "go", payload: ["a": 1], context: Self.context)
        #expect(delivered.run.wait?.payload == ["a": 1] && delivered.run.dueAt == Self.now)
        #expect(delivered.effects == [.storeSignal(RunSignalRecord(id: "01ID", name: "go", payload: ["a": 1], consumedByStep: "a", consumed: true))])
        let kept = try RunLifecycle.signal(Self.run(.running), name: "go", payload: ["a": 1], context: Self.context)
        #expect(kept.run == Self.run(.running))
        #expect(kept.effects == [.storeSignal(RunSignalRecord(id: "01ID", name: "go", payload: ["a": 1], consumedByStep: nil, consumed: false))])
    }

    @Test func suspendingOnAnAwaitConsumesAKeptSignalOrAnnouncesTheWait() {
        let wait = RunWait(signal: "go", until: Self.now.addingTimeInterval(30), since: Self.now)
        let suspend = StepCompletion(task: nil, parentStepId: nil, stateChanges: [:], stepResult: nil, next: .suspend(wait), keepClaim: false)
        let change = RunLifecycle.stepsFinished(Self.run(.running), [suspend], context: Self.context)
        #expect(change.run.status == .waiting && change.run.claim == nil && change.run.dueAt == wait.until)
        guard case .consumeKeptSignal("go", "a", let waiting) = change.effects.first else {
            Issue.record("no consumeKeptSignal effect: \(change.effects)")
            return
        }
        #expect(waiting.type == .waiting && waiting.body.contains("\"signal\":\"go\""))
        let consumed = RunLifecycle.keptSignalConsumed(change, payload: ["b": 2], now: Self.now)
        #expect(consumed.run.wait?.payload == ["b": 2] && consumed.run.dueAt == Self.now && consumed.effects.isEmpty)
    }

    @Test func aChildEndingWakesOnlyTheParentWaitingForIt() {
        var parent = Self.run(.waiting)
        parent.wait = .child("r-child", since: Self.now)
        var child = Self.run(.completed)
        child.id = "r-child"
        #expect(RunLifecycle.childEnded(parent, child: child, context: Self.context)?.run.dueAt == Self.now)
        child.id = "r-other"
        #expect(RunLifecycle.childEnded(parent, child: child, context: Self.context) == nil)
    }

    @Test func anAlertOnlyTimeoutAlertsOnceAndTheRunGoesOn() throws {
        var run = Self.run(.running)
        run.timeout = RunTimeout(seconds: 10, policy: .alertOnly)
        let change = try #require(RunLifecycle.timeoutDue(run, context: Self.context))
        #expect(change.run.status == .running && change.run.deadlineAt == nil && change.run.timeoutAlertedAt == Self.now)
        #expect(Self.emitted(change) == [.timeoutAlert])
        #expect(RunLifecycle.timeoutDue(change.run, context: Self.context) == nil)
    }

    @Test func aRetryRestartsTheFailedStepWithAFreshCountAndKeepsStateAndResults() throws {
        let change = try RunLifecycle.retry(Self.run(.failed), fromStepId: "a", context: Self.context)
        let run = change.run
        #expect(run.status == .pending && run.currentStepId == "a" && run.attempt == 1 && run.stepsExecuted == 0)
        #expect(run.error == nil && run.finishedAt == nil && run.dueAt == Self.now && run.deadlineAt == nil)
        #expect(run.state == ["s": 1] && change.effects.isEmpty)
    }

    @Test func aFailedRunStartsItsFailureWorkflowOrSaysWhyNot() throws {
        let definition = try WorkflowDefinition(
            parsing: [
                "name": "on-failure", "inputSchema": ["type": "object", "required": ["failedRunId"]], "enforceSchema": true,
                "steps": [["id": "n", "action": "complete"]],
            ])
        let target = ResolvedRunStart(
            tenantId: "t", caseId: "c", caseRecord: Case(id: "c", fields: CaseFields(firstName: "Ada"), createdAt: Self.now, updatedAt: Self.now, erasedAt: nil),
            definitionId: "on-failure", version: 1, versionId: "v9", definition: definition, parametersId: nil, values: [:],
            limits: .default)
        let started = RunLifecycle.executorFailed(Self.run(.running), reason: "x", maxFailures: 1, failureWorkflow: .resolved(target), context: Self.context)
        let new = try #require(started.effects.compactMap { if case .startRun(let new) = $0 { new } else { nil } }.first)
        #expect(new.failureOfRunId == "r1" && new.workflowDefinitionId == "on-failure" && new.correlationId == "k")
        #expect(new.input["failedRunId"] == "r1" && new.input["failureStatus"] == "FAILED" && new.input["input"] == ["x": 1])

        let refused = RunLifecycle.executorFailed(
            Self.run(.running), reason: "x", maxFailures: 1, failureWorkflow: .refused(name: "gone", .definitionNotFound(id: "gone", version: nil)),
            context: Self.context)
        #expect(refused.run.error?.message.contains("its failureWorkflow gone was not started: no workflow definition gone") == true)
        #expect(!refused.effects.contains { if case .startRun = $0 { true } else { false } })
    }
}
