import CaseworkerCore
import CaseworkerStore
import Foundation
import Testing

/// `RunStore.cancelRun`: an active run ends `CANCELLED` with its event, its claim and wait
/// cleared; a step in flight is abandoned (the engine's `finishSteps` is refused and records
/// nothing); a terminal run cannot be cancelled.
@Suite struct CancellationConformanceTests {
    @Test func aCancelWhileAStepIsInFlightAbandonsTheStep() async throws {
        try await StoreUnderTest.with { s in
            let hook = try await s.endpoint()
            let run = try await s.startRun()
            let claimed = try await s.claimOne(run, owner: "engine-1")
            let cancelled = try #require(try await s.store.cancelRun(tenantId: StoreUnderTest.tenant, id: run.id))
            #expect(cancelled.status == .cancelled && cancelled.error?.code == "cancelled" && cancelled.error?.stepId == "a")
            #expect(cancelled.finishedAt == s.now && cancelled.currentStepId == nil && cancelled.dueAt == nil && cancelled.wait == nil)
            // The engine's step ends after the cancel: refused, nothing recorded.
            await expectConflict("the completion of a step abandoned by a cancel") {
                try await s.finish(claimed, owner: "engine-1", .complete(result: ["late": true]))
            }
            let (stored, tasks) = try await s.execution(run)
            #expect(tasks.isEmpty, "the abandoned step records no task")
            #expect(stored.status == .cancelled && stored.result == nil && stored.stepsExecuted == 0)
            let events = try await s.events(to: hook)
            #expect(events.map(\.type) == ["workflow.cancelled"] && events.first?.runId == run.id)
            #expect(try await s.claim().isEmpty)
            #expect(try await s.store.nextDueDate() == nil)
        }
    }

    @Test func aCancelAbandonsAWholeRunAheadBatch() async throws {
        try await StoreUnderTest.with { s in
            let run = try await s.startRun()
            let claimed = try await s.claimOne(run)
            _ = try await s.store.cancelRun(tenantId: StoreUnderTest.tenant, id: run.id)
            let first = s.completion(claimed, next: .step("b", mode: .main), keepClaim: true)
            let second = s.completion(claimed.applying(first), next: .complete(result: nil))
            await expectConflict("a batch after a cancel") {
                try await s.finishSteps(run: claimed, owner: "engine-1", completions: [first, second])
            }
            #expect(try await s.execution(run).tasks.isEmpty)
        }
    }

    /// The cancel and the step's completion race; whichever commits first wins, and the run ends
    /// exactly once with exactly one event.
    @Test(arguments: 0..<8) func aCancelRacingAStepEndsTheRunExactlyOnce(round: Int) async throws {
        try await StoreUnderTest.with { s in
            let hook = try await s.endpoint()
            let run = try await s.startRun()
            let claimed = try await s.claimOne(run)
            let completion = s.completion(claimed, next: .complete(result: ["round": .int(round)]))
            let store = s.store
            let finishing = Task { try await s.finishSteps(run: claimed, owner: "engine-1", completions: [completion]) }
            let cancelling = Task { try await store.cancelRun(tenantId: StoreUnderTest.tenant, id: run.id) }
            let (finishResult, cancelResult) = (await finishing.result, await cancelling.result)
            let (stored, tasks) = try await s.execution(run)
            let events = try await s.events(to: hook)
            switch (finishResult, cancelResult) {
            case (.success(let completed), .failure(StoreError.conflict)):
                #expect(completed.status == .completed && stored.status == .completed && tasks.count == 1)
                #expect(events.map(\.type) == ["workflow.completed"])
            case (.failure(StoreError.conflict), .success(let cancelled)):
                #expect(cancelled?.status == .cancelled && stored.status == .cancelled && tasks.isEmpty)
                #expect(events.map(\.type) == ["workflow.cancelled"])
            default:
                Issue.record("exactly one of the two must win: finishSteps \(finishResult), cancelRun \(cancelResult)")
            }
        }
    }

    @Test func cancellingAWaitingRunClearsItsWait() async throws {
        try await StoreUnderTest.with { s in
            let run = try await s.startRun()
            let claimed = try await s.claimOne(run)
            let waiting = try await s.finish(claimed, .suspend(.timer(until: s.now.addingTimeInterval(60), since: s.now)))
            #expect(waiting.status == .waiting && waiting.wait != nil)
            let cancelled = try #require(try await s.store.cancelRun(tenantId: StoreUnderTest.tenant, id: run.id))
            #expect(cancelled.status == .cancelled && cancelled.wait == nil && cancelled.dueAt == nil)
            #expect(try await s.store.findRun(tenantId: StoreUnderTest.tenant, id: run.id)?.wait == nil)
            s.clock.advance(by: 60)
            #expect(try await s.claim().isEmpty, "the timer of a cancelled run never fires")
        }
    }

    @Test func cancellingAPendingRunNamesItsFirstStep() async throws {
        try await StoreUnderTest.with { s in
            let run = try await s.startRun()
            let cancelled = try #require(try await s.store.cancelRun(tenantId: StoreUnderTest.tenant, id: run.id))
            #expect(cancelled.status == .cancelled && cancelled.error?.code == "cancelled" && cancelled.error?.stepId == "a")
            #expect(try await s.claim().isEmpty)
        }
    }

    @Test func aTerminalRunCannotBeCancelledAndGetsNoSecondEvent() async throws {
        try await StoreUnderTest.with { s in
            let hook = try await s.endpoint()
            let completed = try await s.completedRun()
            await expectConflict("cancelling a COMPLETED run") { try await s.store.cancelRun(tenantId: StoreUnderTest.tenant, id: completed.id) }
            let cancelled = try await s.startRun()
            _ = try await s.store.cancelRun(tenantId: StoreUnderTest.tenant, id: cancelled.id)
            await expectConflict("cancelling twice") { try await s.store.cancelRun(tenantId: StoreUnderTest.tenant, id: cancelled.id) }
            #expect(try await s.store.findRun(tenantId: StoreUnderTest.tenant, id: completed.id)?.status == .completed)
            #expect(try await s.events(to: hook).map(\.type) == ["workflow.completed", "workflow.cancelled"])
        }
    }

    @Test func cancellingAnUnknownRunAnswersNil() async throws {
        try await StoreUnderTest.with { s in
            let unknown = s.ids.next(at: s.now)
            let answer = try await s.store.cancelRun(tenantId: StoreUnderTest.tenant, id: unknown)
            #expect(answer == nil)
        }
    }

    @Test func cancellingAParentCancelsItsActiveChild() async throws {
        try await StoreUnderTest.with { s in
            let hook = try await s.endpoint()
            let parent = try await s.startRun()
            let claimed = try await s.claimOne(parent)
            let child = try await s.childPlan(of: claimed)
            let waiting = try await s.finish(claimed, .startChild(child, since: s.now))
            let childId = try #require(waiting.wait?.childRunId)
            #expect(waiting.status == .waiting && waiting.dueAt == nil)
            #expect(try await s.store.findRun(tenantId: StoreUnderTest.tenant, id: childId)?.status == .pending)
            _ = try await s.store.cancelRun(tenantId: StoreUnderTest.tenant, id: parent.id)
            let cancelledChild = try #require(try await s.store.findRun(tenantId: StoreUnderTest.tenant, id: childId))
            #expect(cancelledChild.status == .cancelled && cancelledChild.parentRunId == parent.id)
            #expect(Set(try await s.events(to: hook).compactMap(\.runId)) == [parent.id, childId])
            #expect(try await s.claim().isEmpty)
        }
    }
}

extension StoreUnderTest {
    /// A child run of `parent` (`workflow.run` of definition `child`), planned as the engine
    /// plans it.
    func childPlan(of parent: Run) async throws -> NewRun {
        let version = try await publish("child")
        let definition = try WorkflowDefinition(parsing: version.content)
        let start = RunStartContext(caseRecord: nil, caseId: parent.caseId, correlationId: parent.correlationId, now: now)
        return NewRun(
            id: ids.next(at: now), tenantId: parent.tenantId, caseId: parent.caseId, workflowDefinitionId: "child", version: version.version,
            versionId: version.versionId, parametersId: nil, input: [:], plan: try definition.planRun(values: [:], input: [:], start: start),
            correlationId: parent.correlationId, channel: parent.channel, parentRunId: parent.id, depth: parent.depth + 1)
    }
}
