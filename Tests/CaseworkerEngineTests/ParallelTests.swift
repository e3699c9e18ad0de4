import CaseworkerCore
import CaseworkerEngine
import CaseworkerStore
import CaseworkerTestSupport
import Foundation
import Testing

/// `parallel` (issue #19): branches run as branch runs at the same time; the step joins them
/// (`all` with or without `failFast`, `any`), cancels the rest, and its output holds each
/// branch's result.
@Suite struct ParallelTests {
    /// Two branches, each calling `/barrier/<branch>` (which waits until both requests started).
    static let checks = """
        {"name": "kyc", "initialState": {"tier": "gold"}, "steps": [
          {"id": "prepare", "action": "transform", "config": {"set": {"subject": "${case.firstName}"}}},
          {"id": "checks", "action": "parallel", "config": {"branches": [
            {"id": "sanctions", "steps": [
              {"id": "screen", "action": "http.request", "config": {"method": "GET", "url": "$BASE/barrier/sanctions"}},
              {"id": "sanctionsResult", "action": "transform",
               "config": {"set": {"seen": "${state.subject}"}}, "next": [{"stepId": "sanctionsDone"}]},
              {"id": "sanctionsDone", "action": "complete", "config": {"result": {"hit": false, "body": "${steps.screen.output.body}", "tier": "${state.tier}"}}}]},
            {"id": "registry", "steps": [
              {"id": "lookup", "action": "http.request", "config": {"method": "GET", "url": "$BASE/barrier/registry"}}]}]}},
          {"id": "done", "action": "complete", "config": {"result": {
            "sanctions": "${steps.checks.output.sanctions}", "registry": "${steps.checks.output.registry.body}",
            "prepared": "${steps.prepare.status}", "state": "${state}", "screened": "${steps.screen.output.body.branch}"}}}]}
        """

    @Test func branchesRunAtTheSameTimeAndTheOutputHoldsEachBranchsResult() async throws {
        try await EngineHarness.with { h in
            try await h.publish("kyc", Self.checks)
            let run = try await h.start("kyc")
            let done = try await h.finished(run.id)
            #expect(done.status == .completed, "\(String(describing: done.error))")
            #expect(
                done.result
                    == [
                        "sanctions": ["hit": false, "body": ["branch": "sanctions"], "tier": "gold"], "registry": ["branch": "registry"],
                        "prepared": "OK", "state": ["tier": "gold", "subject": "Ada"], "screened": "sanctions",
                    ])
            // Each request waited until the other had started: the two intervals overlap.
            let intervals = h.received.intervals.withLock { $0 }
            let a = try #require(intervals["sanctions"]), b = try #require(intervals["registry"])
            let (aEnd, bEnd) = (try #require(a.end), try #require(b.end))
            #expect(a.start < bEnd && b.start < aEnd, "the branches' requests overlap in time")

            let tasks = try await h.tasks(run.id)
            #expect(tasks.map(\.stepId) == ["prepare", "checks", "done"])
            #expect(tasks[1].action == "parallel")
            #expect(tasks[1].outcome == .ok)
            let branches = try await h.store.branchExecutions(tenantId: EngineHarness.tenant, runId: run.id)
            #expect(branches.map { $0.run.branch?.branchId } == ["sanctions", "registry"])
            #expect(branches.allSatisfy { $0.run.status == .completed && $0.run.parentRunId == run.id })
            #expect(branches.allSatisfy { $0.run.branch?.group == tasks[1].childRunId })
            #expect(branches[0].tasks.map(\.stepId) == ["screen", "sanctionsResult", "sanctionsDone"])
            #expect(branches[1].tasks.map(\.stepId) == ["lookup"])
            // The branches' steps count towards the run's step limit.
            #expect(done.stepsExecuted == 3 + 4)
            // Branch runs are listed under their parent only.
            let listed = try await h.store.listRuns(tenantId: EngineHarness.tenant, filter: RunFilter(), page: .init(limit: 10))
            #expect(listed.items.map(\.id) == [run.id])
        }
    }

    static func failing(join: String, failFast: Bool) -> String {
        """
        {"name": "ff", "steps": [
          {"id": "checks", "action": "parallel", "config": {"join": "\(join)", "failFast": \(failFast), "branches": [
            {"id": "quick", "steps": [{"id": "refuse", "action": "fail", "config": {"reason": "sanctions hit", "code": "hit"}}]},
            {"id": "slow", "steps": [{"id": "wait", "action": "http.request", "config": {"method": "GET", "url": "$BASE/hold"}},
                                     {"id": "slowDone", "action": "complete", "config": {"result": "finished"}}]}]}},
          {"id": "done", "action": "complete", "config": {"result": "${steps.checks.output}"}}]}
        """
    }

    @Test func aFailingBranchWithFailFastEndsTheStepAndCancelsItsSibling() async throws {
        try await EngineHarness.with { h in
            try await h.publish("ff", Self.failing(join: "all", failFast: true))
            let run = try await h.start("ff")
            let failed = try await h.finished(run.id)
            #expect(failed.status == .failed)
            #expect(failed.error?.code == "branch_failed")
            #expect(failed.error?.stepId == "checks")
            #expect(failed.error?.message.contains("branch quick ended FAILED: sanctions hit") == true)
            let task = try #require(try await h.tasks(run.id).first)
            #expect(task.outcome == StepOutcome(.ko, code: "branch_failed"))
            #expect(task.output["branchId"] == "quick")
            #expect(task.output["error"]?["code"] == "hit")
            let branches = try await h.store.branchExecutions(tenantId: EngineHarness.tenant, runId: run.id)
            let slow = try #require(branches.first { $0.run.branch?.branchId == "slow" }?.run)
            #expect(slow.status == .cancelled)
            #expect(slow.error?.message.contains("branch quick of step checks ended FAILED") == true)
            h.received.holdOpen.withLock { $0 = true }
        }
    }

    @Test func withoutFailFastEveryBranchRunsToItsEndBeforeTheStepFails() async throws {
        try await EngineHarness.with { h in
            try await h.publish("ff", Self.failing(join: "all", failFast: false))
            let run = try await h.start("ff")
            // The failed branch does not decide: the run waits for the slow one.
            let slowRunning = try await waitForValue("the slow branch to call /hold") { h.received.count("/hold") > 0 ? true : nil }
            #expect(slowRunning)
            #expect(try await h.store.findRun(tenantId: EngineHarness.tenant, id: run.id)?.status == .waiting)
            h.received.holdOpen.withLock { $0 = true }
            let failed = try await h.finished(run.id)
            #expect(failed.error?.code == "branch_failed")
            let branches = try await h.store.branchExecutions(tenantId: EngineHarness.tenant, runId: run.id)
            #expect(branches.map(\.run.status) == [.failed, .completed])
        }
    }

    @Test func joinAnyEndsWithTheFirstBranchToCompleteAndCancelsTheRest() async throws {
        try await EngineHarness.with { h in
            try await h.publish(
                "any",
                """
                {"name": "any", "steps": [
                  {"id": "race", "action": "parallel", "config": {"join": "any", "branches": [
                    {"id": "slow", "steps": [{"id": "wait", "action": "http.request", "config": {"method": "GET", "url": "$BASE/hold"}}]},
                    {"id": "broken", "steps": [{"id": "no", "action": "fail", "config": {"reason": "down"}}]},
                    {"id": "fast", "steps": [{"id": "answer", "action": "transform", "config": {"set": {"x": 1}}},
                                             {"id": "fastDone", "action": "complete", "config": {"result": "fast wins"}}]}]}}]}
                """)
            let run = try await h.start("any")
            let done = try await h.finished(run.id)
            #expect(done.status == .completed)
            #expect(done.result == ["fast": "fast wins"])
            let branches = try await h.store.branchExecutions(tenantId: EngineHarness.tenant, runId: run.id)
            #expect(branches.map(\.run.status) == [.cancelled, .failed, .completed])
            h.received.holdOpen.withLock { $0 = true }
        }
    }

    @Test func cancellingTheRunCancelsItsBranches() async throws {
        try await EngineHarness.with { h in
            try await h.publish("ff", Self.failing(join: "any", failFast: true))
            let run = try await h.start("ff")
            _ = try await waitForValue("the slow branch to call /hold") { h.received.count("/hold") > 0 ? true : nil }
            _ = try #require(try await h.store.cancelRun(tenantId: EngineHarness.tenant, id: run.id))
            let branches = try await h.store.branchExecutions(tenantId: EngineHarness.tenant, runId: run.id)
            #expect(branches.map(\.run.status) == [.failed, .cancelled])
            h.received.holdOpen.withLock { $0 = true }
        }
    }

    @Test func aBranchRunIsRetriedThroughItsParentOnly() async throws {
        try await EngineHarness.with { h in
            try await h.publish("ff", Self.failing(join: "all", failFast: true))
            let run = try await h.start("ff")
            _ = try await h.finished(run.id)
            let branches = try await h.store.branchExecutions(tenantId: EngineHarness.tenant, runId: run.id)
            let quick = try #require(branches.first?.run)
            await #expect(throws: StoreError.self) {
                try await h.store.retryRun(tenantId: EngineHarness.tenant, id: quick.id, fromStepId: "refuse")
            }
            h.received.holdOpen.withLock { $0 = true }
        }
    }

    @Test func theStepLimitCountsTheStepsOfEveryBranch() async throws {
        var configuration = EngineConfiguration()
        configuration.maxStepsPerRun = 6
        try await EngineHarness.with(configuration: configuration) { h in
            try await h.publish(
                "loop",
                """
                {"name": "loop", "initialState": {"n": 0}, "steps": [
                  {"id": "fan", "action": "parallel", "config": {"branches": [
                    {"id": "a", "steps": [{"id": "a1", "action": "transform", "config": {"set": {"n": 1}}},
                                          {"id": "a2", "action": "transform", "config": {"set": {"n": 2}}}]},
                    {"id": "b", "steps": [{"id": "b1", "action": "transform", "config": {"set": {"n": 1}}},
                                          {"id": "b2", "action": "transform", "config": {"set": {"n": 2}}}]}]}},
                  {"id": "after1", "action": "transform", "config": {"set": {"n": 3}}},
                  {"id": "after2", "action": "transform", "config": {"set": {"n": 4}}}]}
                """)
            let run = try await h.start("loop")
            let failed = try await h.finished(run.id)
            #expect(failed.status == .failed)
            #expect(failed.error?.code == "step_limit_exceeded")
            #expect(failed.error?.stepId == "after2")
        }
    }

    @Test func theWorkflowTimeoutEndsTheRunAndCancelsItsBranchesWithoutTheirOwnEvents() async throws {
        let clock = ManualClock()
        try await EngineHarness.with(clock: clock) { h in
            _ = try await h.store.createEndpoint(
                tenantId: EngineHarness.tenant,
                fields: .init(url: "https://hooks.example/w", events: [.timedOut, .cancelled, .completed]),
                secret: "whsec_" + Data(repeating: 7, count: 32).base64EncodedString())
            try await h.publish(
                "slow",
                """
                {"name": "slow", "timeoutSeconds": 30, "steps": [
                  {"id": "fan", "action": "parallel", "config": {"branches": [
                    {"id": "a", "steps": [{"id": "holdA", "action": "await", "config": {"signal": "a"}}]},
                    {"id": "b", "steps": [{"id": "holdB", "action": "await", "config": {"signal": "b"}}]}]}}]}
                """)
            let run = try await h.start("slow")
            _ = try await waitForValue("both branches waiting") { () -> Bool? in
                let branches = try await h.store.branchExecutions(tenantId: EngineHarness.tenant, runId: run.id)
                return branches.count == 2 && branches.allSatisfy { $0.run.status == .waiting } ? true : nil
            }
            clock.advance(by: 30)
            h.store.signals.workAvailable.signal()
            let ended = try await h.finished(run.id)
            #expect(ended.status == .timedOut)
            #expect(ended.error?.code == "workflow_timeout")
            let branches = try await h.store.branchExecutions(tenantId: EngineHarness.tenant, runId: run.id)
            #expect(branches.map(\.run.status) == [.cancelled, .cancelled])
            // One event: the run's own; its branches emit none.
            let events = try await WaitTests().events(h)
            #expect(events.map { $0["type"] } == ["workflow.timed_out"])
        }
    }

    @Test func retentionKeepsTheBranchRunsOfARunThatStillWaits() async throws {
        try await EngineHarness.with { h in
            try await h.publish(
                "half",
                """
                {"name": "half", "steps": [
                  {"id": "fan", "action": "parallel", "config": {"branches": [
                    {"id": "done", "steps": [{"id": "d1", "action": "complete", "config": {"result": 1}}]},
                    {"id": "later", "steps": [{"id": "l1", "action": "await", "config": {"signal": "go"}}]}]}}]}
                """)
            let run = try await h.start("half")
            _ = try await waitForValue("one branch completed, one waiting") { () -> Bool? in
                let statuses = try await h.store.branchExecutions(tenantId: EngineHarness.tenant, runId: run.id).map(\.run.status)
                return statuses == [.completed, .waiting] ? true : nil
            }
            // Everything finished is past the cutoff: the completed branch stays, its parent waits.
            _ = try await h.store.purge(runsFinishedBefore: Date().addingTimeInterval(3600), eventsBefore: nil)
            #expect(try await h.store.branchExecutions(tenantId: EngineHarness.tenant, runId: run.id).count == 2)
            _ = try await h.store.signalRun(tenantId: EngineHarness.tenant, id: run.id, name: "go", payload: "ok")
            let done = try await h.finished(run.id)
            #expect(done.result == ["done": 1, "later": "ok"])
        }
    }
}
