import CaseworkerCore
import CaseworkerEngine
import CaseworkerStore
import CaseworkerTestSupport
import Foundation
import Synchronization
import Testing

/// Workflow timeouts (SPEC 2.7), with the injected clock: `TIME_OUT_WF` ends the run
/// `TIMED_OUT`; `ALERT_ONLY` writes one `workflow.timeout_alert` event and the run goes on.
@Suite struct WorkflowTimeoutTests {
    static func definition(policy: String, extra: String = "") -> String {
        """
        {"name": "slow", "timeoutSeconds": 30, "timeoutPolicy": "\(policy)"\(extra),
         "steps": [{"id": "hold", "action": "await", "config": {"signal": "go"}},
                   {"id": "done", "action": "complete", "config": {"result": "done"}}]}
        """
    }

    func barrier(_ h: EngineHarness) async throws {
        h.store.signals.workAvailable.signal()
        _ = try await h.finished(try await h.start("now").id)
    }

    func subscribe(_ h: EngineHarness) async throws {
        _ = try await h.store.createEndpoint(
            tenantId: EngineHarness.tenant,
            fields: .init(url: "https://hooks.example/w", events: [.timedOut, .timeoutAlert, .cancelled]),
            secret: "whsec_" + Data(repeating: 7, count: 32).base64EncodedString())
    }

    @Test func timeOutWorkflowEndsTheRunTimedOutAtItsDeadlineAndStartsTheFailureWorkflow() async throws {
        let clock = ManualClock()
        try await EngineHarness.with(clock: clock) { h in
            try await subscribe(h)
            try await h.publish("now", WaitTests.now)
            try await h.publish("review", #"{"name": "review", "steps": [{"id": "ok", "action": "complete", "config": {"result": "${input}"}}]}"#)
            try await h.publish("slow", Self.definition(policy: "TIME_OUT_WF", extra: #", "failureWorkflow": "review""#))
            let run = try await h.start("slow")
            _ = try await h.waitForRun(run.id) { $0.status == .waiting }

            clock.advance(by: 29)
            try await barrier(h)
            #expect(try await h.store.findRun(tenantId: EngineHarness.tenant, id: run.id)?.status == .waiting)

            clock.advance(by: 1)
            h.store.signals.workAvailable.signal()
            let ended = try await h.finished(run.id)
            #expect(ended.status == .timedOut)
            #expect(ended.error?.code == "workflow_timeout")
            #expect(ended.error?.stepId == "hold")
            #expect(ended.wait == nil)
            #expect(try await h.tasks(run.id).isEmpty, "the waiting step was abandoned")
            let events = try await WaitTests().events(h)
            #expect(events.map { $0["type"] } == ["workflow.timed_out"])

            let failure = try await waitForValue("the failure workflow") { () -> Run? in
                try await h.store.listRuns(
                    tenantId: EngineHarness.tenant, filter: RunFilter(workflowDefinitionId: "review"), page: .init(limit: 5)
                ).items.first
            }
            #expect(failure.input["failureStatus"] == "TIMED_OUT")
            #expect(failure.input["failedStepId"] == "hold")
        }
    }

    @Test func alertOnlyAlertsOnceAndTheRunGoesOn() async throws {
        let clock = ManualClock()
        try await EngineHarness.with(clock: clock) { h in
            try await subscribe(h)
            try await h.publish("now", WaitTests.now)
            try await h.publish("slow", Self.definition(policy: "ALERT_ONLY"))
            let run = try await h.start("slow")
            _ = try await h.waitForRun(run.id) { $0.status == .waiting }
            clock.advance(by: 31)
            try await barrier(h)
            clock.advance(by: 600)
            try await barrier(h)
            #expect(try await h.store.findRun(tenantId: EngineHarness.tenant, id: run.id)?.status == .waiting)
            let events = try await WaitTests().events(h)
            #expect(events.map { $0["type"] } == ["workflow.timeout_alert"])
            #expect(events.first?["data"]?["id"] == .string(run.id))
            #expect(events.first?["data"]?["status"] == "WAITING")
            #expect(events.first?["data"]?["timeoutSeconds"] == 30)

            _ = try await h.store.signalRun(tenantId: EngineHarness.tenant, id: run.id, name: "go", payload: .null)
            #expect(try await h.finished(run.id).status == .completed)
        }
    }

    @Test func theDeadlineCountsFromTheStartNotFromTheQueue() async throws {
        let clock = ManualClock()
        try await EngineHarness.with(clock: clock) { h in
            try await h.publish(
                "slow",
                """
                {"name": "slow", "timeoutSeconds": 30, "rateLimit": {"key": "k", "concurrentExecLimit": 1},
                 "steps": [{"id": "hold", "action": "await", "config": {"signal": "go"}},
                           {"id": "done", "action": "complete"}]}
                """)
            let first = try await h.start("slow")
            let second = try await h.start("slow")
            _ = try await h.waitForRun(first.id) { $0.status == .waiting }
            clock.advance(by: 20)
            _ = try await h.store.signalRun(tenantId: EngineHarness.tenant, id: first.id, name: "go", payload: .null)
            _ = try await h.finished(first.id)
            _ = try await h.waitForRun(second.id) { $0.status == .waiting }
            clock.advance(by: 20)
            h.store.signals.workAvailable.signal()
            try await Task.sleep(for: .milliseconds(100))
            #expect(try await h.store.findRun(tenantId: EngineHarness.tenant, id: second.id)?.status == .waiting, "20 s after its start")
            clock.advance(by: 10)
            h.store.signals.workAvailable.signal()
            #expect(try await h.finished(second.id).status == .timedOut)
        }
    }

    @Test func aStepInFlightAtTheDeadlineIsAbandoned() async throws {
        final class Box: Sendable { let id = Mutex<String?>(nil) }
        let runId = Box()
        let clock = ManualClock()
        try await EngineHarness.with(clock: clock) { h in
            try await h.publish(
                "slow",
                """
                {"name": "slow", "timeoutSeconds": 30,
                 "steps": [{"id": "call", "action": "http.request", "config": {"url": "$BASE/hold"}},
                           {"id": "next", "action": "http.request", "config": {"method": "POST", "url": "$BASE/verify"}}]}
                """)
            let run = try await h.start("slow")
            runId.id.withLock { $0 = run.id }
            try await waitFor("the step to be in flight") { h.received.count("/hold") == 1 }
            clock.advance(by: 30)
            h.store.signals.workAvailable.signal()
            let ended = try await h.finished(run.id)
            #expect(ended.status == .timedOut)
            #expect(ended.error?.stepId == "call")
            h.received.holdOpen.withLock { $0 = true }
        } afterShutdown: { h in
            let id = try #require(runId.id.withLock { $0 })
            #expect(try await h.store.findRun(tenantId: EngineHarness.tenant, id: id)?.status == .timedOut)
            #expect(try await h.tasks(id).isEmpty, "the abandoned step left no task")
            #expect(h.received.count("/verify") == 0, "the run did not go on")
        }
    }

    @Test func aRetriedTimedOutRunGetsAFreshDeadline() async throws {
        let clock = ManualClock()
        try await EngineHarness.with(clock: clock) { h in
            try await h.publish("now", WaitTests.now)
            try await h.publish("slow", Self.definition(policy: "TIME_OUT_WF"))
            let run = try await h.start("slow")
            _ = try await h.waitForRun(run.id) { $0.status == .waiting }
            clock.advance(by: 30)
            h.store.signals.workAvailable.signal()
            #expect(try await h.finished(run.id).status == .timedOut)

            let retried = try #require(try await h.store.retryRun(tenantId: EngineHarness.tenant, id: run.id, fromStepId: "hold"))
            #expect(retried.status == .pending)
            #expect(retried.error == nil && retried.finishedAt == nil && retried.attempt == 1)
            await #expect(throws: StoreError.self) {
                try await h.store.retryRun(tenantId: EngineHarness.tenant, id: run.id, fromStepId: "hold")
            }
            _ = try await h.waitForRun(run.id) { $0.status == .waiting }
            clock.advance(by: 29)
            try await barrier(h)
            #expect(try await h.store.findRun(tenantId: EngineHarness.tenant, id: run.id)?.status == .waiting, "30 s from the retry")
            _ = try await h.store.signalRun(tenantId: EngineHarness.tenant, id: run.id, name: "go", payload: .null)
            let done = try await h.finished(run.id)
            #expect(done.status == .completed)
            #expect(try await h.tasks(run.id).map(\.stepId) == ["hold", "done"], "the timed-out wait left no task")
        }
    }
}
