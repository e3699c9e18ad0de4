import CaseworkerCore
import CaseworkerEngine
import CaseworkerStore
import CaseworkerTestSupport
import Foundation
import Testing

/// `failureWorkflow` (SPEC 2.7): started in the failed run's terminal transaction, never for a
/// failure workflow's own failure.
@Suite struct FailureWorkflowTests {
    func runs(_ h: EngineHarness, of definitionId: String) async throws -> [Run] {
        try await h.store.listRuns(
            tenantId: EngineHarness.tenant, filter: RunFilter(workflowDefinitionId: definitionId), page: .init(limit: 50)
        ).items
    }

    @Test func aFailedRunStartsItsFailureWorkflowWithTheFailureInput() async throws {
        try await EngineHarness.with(clock: ManualClock()) { h in
            try await h.publish("review", #"{"name": "review", "steps": [{"id": "ok", "action": "complete", "config": {"result": "${input}"}}]}"#)
            try await h.publish(
                "payout",
                """
                {"name": "payout", "failureWorkflow": "review",
                 "steps": [{"id": "pay", "action": "fail", "config": {"reason": "no funds", "code": "funds"}}]}
                """)
            let run = try await h.start("payout", input: ["amount": 5])
            let failed = try await h.finished(run.id)
            #expect(failed.status == .failed)
            let started = try await runs(h, of: "review")
            #expect(started.count == 1)
            let review = try await h.finished(try #require(started.first).id)
            #expect(review.failureOfRunId == run.id)
            #expect(review.caseId == run.caseId)
            #expect(review.correlationId == "corr-1")
            let expected: JSONValue = [
                "failedRunId": .string(run.id), "failureStatus": "FAILED", "reason": "no funds", "failedStepId": "pay",
                "input": ["amount": 5],
            ]
            #expect(review.input == expected)
            #expect(review.result == expected)
        }
    }

    @Test func aFailureWorkflowThatFailsStartsNoOther() async throws {
        try await EngineHarness.with(clock: ManualClock()) { h in
            try await h.publish(
                "selfish",
                """
                {"name": "selfish", "failureWorkflow": "selfish",
                 "steps": [{"id": "no", "action": "fail", "config": {"reason": "always"}}]}
                """)
            let run = try await h.start("selfish")
            _ = try await h.finished(run.id)
            let all = try await waitForValue("the failure run") { () -> [Run]? in
                let runs = try await runs(h, of: "selfish")
                return runs.count == 2 && runs.allSatisfy(\.status.isTerminal) ? runs : nil
            }
            #expect(all.filter { $0.failureOfRunId == run.id }.count == 1)
            // Let the engine go round again: still exactly two runs.
            try await h.publish("now", WaitTests.now)
            _ = try await h.finished(try await h.start("now").id)
            #expect(try await runs(h, of: "selfish").count == 2)
        }
    }

    @Test func aDisabledFailureWorkflowIsNotStartedAndCompletedOrCancelledRunsStartNone() async throws {
        try await EngineHarness.with(clock: ManualClock()) { h in
            try await h.publish("review", #"{"name": "review", "steps": [{"id": "ok", "action": "complete"}]}"#)
            try await h.publish(
                "flaky",
                """
                {"name": "flaky", "failureWorkflow": "review",
                 "steps": [{"id": "gate", "action": "await", "config": {"signal": "go"}},
                           {"id": "no", "action": "fail", "config": {"reason": "no"}}]}
                """)
            let cancelled = try await h.start("flaky")
            _ = try await h.waitForRun(cancelled.id) { $0.status == .waiting }
            _ = try await h.store.cancelRun(tenantId: EngineHarness.tenant, id: cancelled.id)
            #expect(try await runs(h, of: "review").isEmpty, "a cancelled run starts no failure workflow")

            _ = try await h.store.setDisabled(tenantId: EngineHarness.tenant, id: "review", disabled: true, actor: "test")
            let failing = try await h.start("flaky")
            _ = try await h.waitForRun(failing.id) { $0.status == .waiting }
            _ = try await h.store.signalRun(tenantId: EngineHarness.tenant, id: failing.id, name: "go", payload: .null)
            #expect(try await h.finished(failing.id).status == .failed)
            #expect(try await runs(h, of: "review").isEmpty, "a disabled definition starts no runs")
        }
    }

    @Test func purgingAFinishedRunClearsTheLinksOfRunsStillActive() async throws {
        let clock = ManualClock()
        try await EngineHarness.with(clock: clock) { h in
            try await h.publish("review", #"{"name": "review", "steps": [{"id": "hold", "action": "await", "config": {"signal": "go"}}]}"#)
            try await h.publish(
                "payout", #"{"name": "payout", "failureWorkflow": "review", "steps": [{"id": "pay", "action": "fail", "config": {"reason": "no"}}]}"#)
            try await h.publish("child", #"{"name": "child", "steps": [{"id": "ok", "action": "complete", "config": {"result": 1}}]}"#)
            try await h.publish(
                "parent",
                """
                {"name": "parent", "steps": [{"id": "sub", "action": "workflow.run", "config": {"workflowDefinitionId": "child"}},
                  {"id": "hold", "action": "await", "config": {"signal": "go"}}]}
                """)
            let failed = try await h.finished(try await h.start("payout").id)
            let parent = try await h.start("parent")
            _ = try await h.waitForRun(parent.id) { $0.wait?.signal == "go" }
            let childId = try #require(try await h.tasks(parent.id).first?.childRunId)
            let review = try #require(try await runs(h, of: "review").first)
            _ = try await h.waitForRun(review.id) { $0.status == .waiting }

            clock.advance(by: 1)
            let purged = try await h.store.purge(runsFinishedBefore: clock.now, eventsBefore: nil)
            #expect(purged.runs == 2, "the failed run and the finished child")
            #expect(try await h.store.findRun(tenantId: EngineHarness.tenant, id: failed.id) == nil)
            #expect(try await h.store.findRun(tenantId: EngineHarness.tenant, id: childId) == nil)
            #expect(try await h.store.findRun(tenantId: EngineHarness.tenant, id: review.id)?.failureOfRunId == nil)
            #expect(try await h.tasks(parent.id).first?.childRunId == nil)
        }
    }
}
