import CaseworkerCore
import CaseworkerStore
import Foundation
import Testing

/// `RunStore.retryRun`: a `FAILED` or `TIMED_OUT` run restarts `PENDING` at the given step, due
/// now, with attempt 1, a fresh step count, no error and no finish time, keeping its tasks, state
/// and step results; any other status is a conflict.
@Suite struct RetryConformanceTests {
    @Test func aFailedRunRestartsAtItsStepKeepingItsHistory() async throws {
        try await StoreUnderTest.with { s in
            let run = try await s.startRun()
            var current = try await s.claimOne(run)
            current = try await s.finishSteps(
                run: current, owner: "engine-1",
                completions: [s.completion(current, next: .step("b", mode: .main), stateChanges: ["n": 1], keepClaim: true)])
            let error = RunError(code: "500", message: "b failed", stepId: "b")
            let failed = try await s.finish(current, .end(.failed), error: error)
            #expect(failed.status == .failed && failed.error == error && failed.finishedAt != nil)
            s.clock.advance(by: 60)

            let retried = try #require(try await s.store.retryRun(tenantId: StoreUnderTest.tenant, id: run.id, fromStepId: "b"))
            #expect(retried.status == .pending && retried.currentStepId == "b" && retried.flowMode == .main)
            #expect(retried.attempt == 1 && retried.stepsExecuted == 0 && retried.error == nil && retried.finishedAt == nil)
            #expect(retried.dueAt == s.now)
            #expect(retried.state["n"] == 1 && retried.stepResults.keys.sorted() == ["a", "b"])
            #expect(try await s.store.findRun(tenantId: StoreUnderTest.tenant, id: run.id) == retried)
            #expect(try await s.execution(run).tasks.map(\.stepId) == ["a", "b"], "the tasks are kept")
            let reclaimed = try await s.claimOne(run, owner: "engine-2")
            #expect(reclaimed.status == .running && reclaimed.currentStepId == "b")
            #expect(try await s.finish(reclaimed, owner: "engine-2", .complete(result: nil)).status == .completed)
        }
    }

    @Test func onlyFailedAndTimedOutRunsCanBeRetried() async throws {
        try await StoreUnderTest.with { s in
            let running = try await s.startRun()
            _ = try await s.claimOne(running)
            let waitingRun = try await s.startRun()
            _ = try await s.finish(try await s.claimOne(waitingRun), .suspend(.timer(until: s.now.addingTimeInterval(60), since: s.now)))
            let completed = try await s.completedRun()
            let cancelled = try await s.startRun()
            _ = try await s.store.cancelRun(tenantId: StoreUnderTest.tenant, id: cancelled.id)
            let pending = try await s.startRun()  // last: the claims above take every due run
            for run in [pending, running, waitingRun, completed, cancelled] {
                let before = try await s.store.findRun(tenantId: StoreUnderTest.tenant, id: run.id)
                await expectConflict("retrying a \(before?.status.rawValue ?? "?") run") {
                    try await s.store.retryRun(tenantId: StoreUnderTest.tenant, id: run.id, fromStepId: "a")
                }
                #expect(try await s.store.findRun(tenantId: StoreUnderTest.tenant, id: run.id) == before, "a refused retry changes nothing")
            }
            #expect(try await s.store.retryRun(tenantId: StoreUnderTest.tenant, id: s.ids.next(at: s.now), fromStepId: "a") == nil)
        }
    }

    @Test func aTimedOutRunCanBeRetriedAndGetsAFreshDeadline() async throws {
        try await StoreUnderTest.with { s in
            let run = try await s.startRun(content: StoreUnderTest.definition(timeout: (30, "TIME_OUT_WF")))
            let start = s.now
            _ = try await s.claimOne(run)
            #expect(try await s.applyDueTimeouts(now: start.addingTimeInterval(30), limit: 10).map(\.run.id) == [run.id])
            s.clock.advance(by: 40)
            let retried = try #require(try await s.store.retryRun(tenantId: StoreUnderTest.tenant, id: run.id, fromStepId: "a"))
            #expect(retried.status == .pending)
            #expect(try await s.applyDueTimeouts(now: s.now, limit: 10).isEmpty, "a PENDING run has no deadline yet")
            _ = try await s.claimOne(run)
            #expect(try await s.applyDueTimeouts(now: s.now.addingTimeInterval(29.999), limit: 10).isEmpty)
            let applied = try await s.applyDueTimeouts(now: s.now.addingTimeInterval(30), limit: 10)
            #expect(applied.map(\.run.status) == [.timedOut], "counted again from the restart")
        }
    }
}

/// `RunStore.applyDueTimeouts`: a run's workflow timeout counts from its start (the claim out of
/// `PENDING`); under `TIME_OUT_WF` it ends `TIMED_OUT` with `workflow_timeout` and its event, a
/// step in flight abandoned; under `ALERT_ONLY` it gets one `workflow.timeout_alert` and goes on.
@Suite struct TimeoutConformanceTests {
    @Test func aPassedDeadlineEndsTheRunAndAbandonsItsStepInFlight() async throws {
        try await StoreUnderTest.with { s in
            let hook = try await s.endpoint()
            let run = try await s.startRun(content: StoreUnderTest.definition(timeout: (30, "TIME_OUT_WF")))
            s.clock.advance(by: 100)
            #expect(try await s.applyDueTimeouts(now: s.now, limit: 10).isEmpty, "not started: no deadline")
            let start = s.now
            let claimed = try await s.claimOne(run)
            #expect(try await s.store.nextDueDate() == start.addingTimeInterval(StoreUnderTest.lease), "the claim's expiry comes first")
            _ = try await s.store.renewClaims(owner: "engine-1", runIds: [run.id], until: start.addingTimeInterval(3600))
            #expect(try await s.store.nextDueDate() == start.addingTimeInterval(30), "the deadline is waited for")
            #expect(try await s.applyDueTimeouts(now: start.addingTimeInterval(29.999), limit: 10).isEmpty)
            s.clock.advance(by: 30)
            let applied = try await s.applyDueTimeouts(now: s.now, limit: 10)
            let timedOut = try #require(applied.first)
            #expect(applied.count == 1 && timedOut.policy == .timeOutWorkflow)
            #expect(timedOut.run.id == run.id && timedOut.run.status == .timedOut && timedOut.run.error?.code == "workflow_timeout")
            #expect(timedOut.run.error?.stepId == "a" && timedOut.run.finishedAt == s.now)
            await expectConflict("the step in flight when the deadline passed") {
                try await s.finish(claimed, .complete(result: nil))
            }
            #expect(try await s.execution(run).tasks.isEmpty)
            #expect(try await s.events(to: hook).map(\.type) == ["workflow.timed_out"])
            #expect(try await s.applyDueTimeouts(now: s.now.addingTimeInterval(3600), limit: 10).isEmpty, "applied once")
            #expect(try await s.store.nextDueDate() == nil)
        }
    }

    @Test func anAlertOnlyTimeoutAlertsOnceAndTheRunGoesOn() async throws {
        try await StoreUnderTest.with { s in
            let hook = try await s.endpoint()
            let run = try await s.startRun(content: StoreUnderTest.definition(timeout: (30, "ALERT_ONLY")))
            let claimed = try await s.claimOne(run)
            s.clock.advance(by: 30)
            let applied = try await s.applyDueTimeouts(now: s.now, limit: 10)
            #expect(applied.map(\.policy) == [.alertOnly] && applied.first?.run.id == run.id)
            #expect(try await s.store.findRun(tenantId: StoreUnderTest.tenant, id: run.id)?.status == .running)
            #expect(try await s.applyDueTimeouts(now: s.now.addingTimeInterval(3600), limit: 10).isEmpty, "one alert per run")
            let alerts = try await s.events(to: hook)
            #expect(alerts.map(\.type) == ["workflow.timeout_alert"] && alerts.first?.runId == run.id)
            #expect(alerts.first?.data["timeoutSeconds"] == 30)
            let completed = try await s.finish(claimed, .complete(result: nil))
            #expect(completed.status == .completed, "the step in flight still finishes")
            #expect(try await s.events(to: hook).map(\.type) == ["workflow.timeout_alert", "workflow.completed"])
        }
    }

    @Test func timeoutsAreAppliedUpToTheLimitPerCall() async throws {
        try await StoreUnderTest.with { s in
            var runs: Set<String> = []
            for _ in 0..<3 { runs.insert(try await s.startRun(content: StoreUnderTest.definition(timeout: (30, "TIME_OUT_WF"))).id) }
            _ = try await s.claim()
            let later = s.now.addingTimeInterval(31)
            let first = try await s.applyDueTimeouts(now: later, limit: 2)
            let second = try await s.applyDueTimeouts(now: later, limit: 2)
            #expect(first.count == 2 && second.count == 1)
            #expect(Set((first + second).map(\.run.id)) == runs)
        }
    }

    @Test func aRunThatEndsBeforeItsDeadlineIsNeverTimedOut() async throws {
        try await StoreUnderTest.with { s in
            let hook = try await s.endpoint()
            let run = try await s.startRun(content: StoreUnderTest.definition(timeout: (30, "TIME_OUT_WF")))
            _ = try await s.finish(try await s.claimOne(run), .complete(result: nil))
            #expect(try await s.applyDueTimeouts(now: s.now.addingTimeInterval(60), limit: 10).isEmpty)
            #expect(try await s.events(to: hook).map(\.type) == ["workflow.completed"])
            // A cancelled one neither.
            let cancelled = try await s.startRun(content: StoreUnderTest.definition(timeout: (30, "TIME_OUT_WF")))
            _ = try await s.claimOne(cancelled)
            _ = try await s.store.cancelRun(tenantId: StoreUnderTest.tenant, id: cancelled.id)
            #expect(try await s.applyDueTimeouts(now: s.now.addingTimeInterval(60), limit: 10).isEmpty)
        }
    }

    @Test func aWaitingRunTimesOutWithItsWaitCleared() async throws {
        try await StoreUnderTest.with { s in
            let run = try await s.startRun(content: StoreUnderTest.definition(timeout: (30, "TIME_OUT_WF")))
            _ = try await s.finish(try await s.claimOne(run), .suspend(RunWait(signal: "go", until: nil, since: s.now)))
            let applied = try await s.applyDueTimeouts(now: s.now.addingTimeInterval(30), limit: 10)
            #expect(applied.first?.run.status == .timedOut && applied.first?.run.wait == nil)
            await expectConflict("a signal to the timed-out run") {
                try await s.store.signalRun(tenantId: StoreUnderTest.tenant, id: run.id, name: "go", payload: nil)
            }
        }
    }
}
