import CaseworkerCore
import CaseworkerEngine
import CaseworkerStore
import CaseworkerTestSupport
import Foundation
import Testing

/// `workflow.run` (issue #5): a child run for the same case; the parent's step waits durably
/// and ends from the child's outcome; cancelling the parent cancels the child.
@Suite struct ChildRunTests {
    static let child = """
        {"name": "child", "steps": [
          {"id": "double", "action": "complete",
           "config": {"result": {"doubled": "${input.n * 2}", "caseId": "${case.id}", "correlation": "${run.correlationId}"}}}]}
        """
    static let parent = """
        {"name": "parent", "steps": [
          {"id": "sub", "action": "workflow.run", "config": {"workflowDefinitionId": "child", "input": {"n": "${input.n}"}}},
          {"id": "done", "action": "complete", "config": {"result": "${steps.sub.output}"}}]}
        """

    @Test func theChildRunsForTheSameCaseAndItsResultIsTheStepOutput() async throws {
        try await EngineHarness.with(clock: ManualClock()) { h in
            try await h.publish("child", Self.child)
            try await h.publish("parent", Self.parent)
            let run = try await h.start("parent", input: ["n": 21])
            let done = try await h.finished(run.id)
            #expect(done.status == .completed)
            #expect(done.result == ["doubled": 42, "caseId": .string(h.caseId), "correlation": "corr-1"])
            let tasks = try await h.tasks(run.id)
            #expect(tasks.map(\.stepId) == ["sub", "done"])
            #expect(tasks[0].outcome == .ok)
            #expect(tasks[0].parameters == ["workflowDefinitionId": "child", "input": ["n": 21]])
            let childId = try #require(tasks[0].childRunId)
            let child = try #require(try await h.store.findRun(tenantId: EngineHarness.tenant, id: childId))
            #expect(child.status == .completed)
            #expect(child.parentRunId == run.id)
            #expect(child.depth == 1)
            #expect(child.caseId == run.caseId)
            #expect(child.input == ["n": 21])
            #expect(tasks[0].startedAt <= child.createdAt)
        }
    }

    @Test func aFailedChildIsKOWithTheChildsStatusAsCode() async throws {
        try await EngineHarness.with(clock: ManualClock()) { h in
            try await h.publish(
                "child", #"{"name": "child", "steps": [{"id": "no", "action": "fail", "config": {"reason": "refused", "code": "nope"}}]}"#)
            try await h.publish("parent", Self.parent)
            let run = try await h.start("parent", input: ["n": 1])
            let failed = try await h.finished(run.id)
            #expect(failed.status == .failed)
            #expect(failed.error?.code == "FAILED")
            #expect(failed.error?.stepId == "sub")
            #expect(failed.error?.message.contains("refused") == true)
            let task = try #require(try await h.tasks(run.id).first)
            #expect(task.outcome == StepOutcome(.ko, code: "FAILED"))
            #expect(task.output["status"] == "FAILED")
            #expect(task.output["error"]?["code"] == "nope")
        }
    }

    @Test func unknownAndDisabledChildDefinitionsEndTheStepKOWithACode() async throws {
        try await EngineHarness.with(clock: ManualClock()) { h in
            try await h.publish("parent", Self.parent)
            let missing = try await h.finished(try await h.start("parent", input: ["n": 1]).id)
            #expect(missing.error?.code == "child_not_found")
            #expect(missing.error?.stepId == "sub")

            try await h.publish("child", Self.child)
            _ = try await h.store.setDisabled(tenantId: EngineHarness.tenant, id: "child", disabled: true, actor: "test")
            let disabled = try await h.finished(try await h.start("parent", input: ["n": 1]).id)
            #expect(disabled.error?.code == "child_disabled")
            let runs = try await h.store.listRuns(
                tenantId: EngineHarness.tenant, filter: RunFilter(workflowDefinitionId: "child"), page: .init(limit: 10))
            #expect(runs.items.isEmpty, "no child run was started")
        }
    }

    @Test func aDefinitionRunningItselfStopsAtTheDepthLimit() async throws {
        try await EngineHarness.with(clock: ManualClock()) { h in
            try await h.publish(
                "loop",
                """
                {"name": "loop", "steps": [{"id": "again", "action": "workflow.run", "config": {"workflowDefinitionId": "loop"}}]}
                """)
            let run = try await h.start("loop")
            let ended = try await h.finished(run.id)
            #expect(ended.status == .failed)
            #expect(ended.error?.code == "FAILED", "each level fails because its child failed")
            let runs = try await h.store.listRuns(
                tenantId: EngineHarness.tenant, filter: RunFilter(workflowDefinitionId: "loop"), page: .init(limit: 50))
            #expect(runs.items.count == 9, "the root and 8 nested children")
            let deepest = try #require(runs.items.first { $0.depth == 8 })
            #expect(deepest.error?.code == "child_depth_exceeded")
        }
    }

    @Test func theParentWaitsWithoutATaskAndCancellingItCancelsTheChild() async throws {
        try await EngineHarness.with(clock: ManualClock()) { h in
            try await h.publish(
                "child", #"{"name": "child", "steps": [{"id": "hold", "action": "await", "config": {"signal": "go"}}]}"#)
            try await h.publish("parent", Self.parent)
            let run = try await h.start("parent", input: ["n": 1])
            let waiting = try await h.waitForRun(run.id) { $0.status == .waiting }
            let childId = try #require(waiting.wait?.childRunId)
            #expect(waiting.wait?.signal == nil)
            #expect(waiting.dueAt == nil, "woken by the child's end, not by time")
            #expect(try await h.tasks(run.id).isEmpty)
            _ = try await h.waitForRun(childId) { $0.status == .waiting }
            // A signal to the parent is not delivered to its child wait.
            let receipt = try await h.store.signalRun(tenantId: EngineHarness.tenant, id: run.id, name: "go", payload: 1)
            #expect(receipt?.consumed == false)

            let cancelled = try #require(try await h.store.cancelRun(tenantId: EngineHarness.tenant, id: run.id))
            #expect(cancelled.status == .cancelled)
            #expect(cancelled.wait == nil)
            let child = try await h.finished(childId)
            #expect(child.status == .cancelled)
            #expect(child.error?.code == "cancelled")
            #expect(child.error?.message.contains(run.id) == true)
            #expect(child.error?.stepId == "hold")
        }
    }

    @Test func cancellingTheChildEndsTheParentsStepKO() async throws {
        try await EngineHarness.with(clock: ManualClock()) { h in
            try await h.publish(
                "child", #"{"name": "child", "steps": [{"id": "hold", "action": "await", "config": {"signal": "go"}}]}"#)
            try await h.publish(
                "parent",
                """
                {"name": "parent", "steps": [
                  {"id": "sub", "action": "workflow.run", "config": {"workflowDefinitionId": "child"},
                   "next": [{"status": "KO", "code": "CANCELLED", "stepId": "fallback"}]},
                  {"id": "done", "action": "complete", "config": {"result": "child completed"}},
                  {"id": "fallback", "action": "complete", "config": {"result": "${steps.sub.code}"}}]}
                """)
            let run = try await h.start("parent")
            let waiting = try await h.waitForRun(run.id) { $0.status == .waiting }
            let childId = try #require(waiting.wait?.childRunId)
            _ = try await h.store.cancelRun(tenantId: EngineHarness.tenant, id: childId)
            let done = try await h.finished(run.id)
            #expect(done.status == .completed)
            #expect(done.result == "CANCELLED")
        }
    }
}
