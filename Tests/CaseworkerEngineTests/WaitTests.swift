import CaseworkerCore
import CaseworkerEngine
import CaseworkerStore
import CaseworkerTestSupport
import Foundation
import Synchronization
import Testing

/// `wait`, `await`, signals and cancel (issue #5), with the injected clock: a timer wakes only
/// once the clock has passed its due time.
@Suite struct WaitTests {
    static let now = #"{"name": "now", "steps": [{"id": "end", "action": "complete"}]}"#

    /// Proves the engine looked for due work at the current clock time: a run started now is
    /// claimed by a claim at a time ≥ now, which would also have claimed every run due by then.
    func barrier(_ h: EngineHarness) async throws {
        h.store.signals.workAvailable.signal()
        let run = try await h.start("now")
        _ = try await h.finished(run.id)
    }

    /// Subscribes an endpoint (never delivered to: no dispatcher runs here) to the non-terminal
    /// and cancel events, so the outbox's events can be read back as its deliveries.
    func subscribe(_ h: EngineHarness) async throws {
        _ = try await h.store.createEndpoint(
            tenantId: EngineHarness.tenant, fields: .init(url: "https://hooks.example/w", events: [.waiting, .cancelled]),
            secret: "whsec_" + Data(repeating: 7, count: 32).base64EncodedString())
    }

    /// The bodies of the events written so far, oldest first.
    func events(_ h: EngineHarness) async throws -> [JSONValue] {
        let deliveries = try await h.store.listDeliveries(tenantId: EngineHarness.tenant, filter: .init(), page: .init(limit: 50)).items
        var bodies: [JSONValue] = []
        for delivery in deliveries.sorted(by: { $0.eventId < $1.eventId }) {
            let detail = try #require(try await h.store.findDelivery(tenantId: EngineHarness.tenant, id: delivery.id))
            bodies.append(try JSONText.decode(detail.body))
        }
        return bodies
    }

    @Test func aTimerWakesOnlyWhenTheClockPassesItsDueTime() async throws {
        let clock = ManualClock()
        try await EngineHarness.with(clock: clock) { h in
            try await h.publish("now", Self.now)
            try await h.publish(
                "d",
                """
                {"name": "d", "steps": [{"id": "pause", "action": "wait", "config": {"seconds": 60}},
                  {"id": "done", "action": "complete", "config": {"result": "${steps.pause.output}"}}]}
                """)
            let start = clock.now
            let run = try await h.start("d")
            let waiting = try await h.waitForRun(run.id) { $0.status == .waiting }
            #expect(waiting.dueAt == start.addingTimeInterval(60))
            #expect(waiting.wait == RunWait.timer(until: start.addingTimeInterval(60), since: start))
            #expect(waiting.currentStepId == "pause")
            #expect(try await h.tasks(run.id).isEmpty, "a waiting step has no task yet")

            clock.advance(by: 59)
            try await barrier(h)
            #expect(try await h.store.findRun(tenantId: EngineHarness.tenant, id: run.id)?.status == .waiting)

            clock.advance(by: 1)
            h.store.signals.workAvailable.signal()
            let done = try await h.finished(run.id)
            #expect(done.status == .completed)
            #expect(done.result == ["waitedUntil": .string(Timestamp.rfc3339(start.addingTimeInterval(60)))])
            #expect(done.wait == nil)
            let tasks = try await h.tasks(run.id)
            #expect(tasks.map(\.stepId) == ["pause", "done"])
            #expect(tasks[0].outcome == .ok)
            #expect(tasks[0].startedAt == start)
            #expect(tasks[0].finishedAt == start.addingTimeInterval(60))
            #expect(tasks[0].parameters == ["seconds": 60])
        }
    }

    @Test func anUntilInThePastContinuesAtOnceAndAnUnparsableOneIsInvalidConfig() async throws {
        try await EngineHarness.with(clock: ManualClock()) { h in
            try await h.publish(
                "d",
                """
                {"name": "d", "steps": [{"id": "pause", "action": "wait", "config": {"until": "${input.until}"}},
                  {"id": "done", "action": "complete", "config": {"result": "${steps.pause.output}"}}]}
                """)
            let past = try await h.start("d", input: ["until": "2020-01-01T00:00:00Z"])
            let done = try await h.finished(past.id)
            #expect(done.status == .completed)
            #expect(done.result == ["waitedUntil": "2020-01-01T00:00:00.000Z"])

            let bad = try await h.start("d", input: ["until": "tomorrow"])
            let failed = try await h.finished(bad.id)
            #expect(failed.status == .failed)
            #expect(failed.error?.code == "invalid_config")
            #expect(failed.error?.stepId == "pause")
        }
    }

    static let review = """
        {"name": "review", "steps": [
          {"id": "review", "action": "await", "config": {"signal": "review", "timeoutSeconds": 3600},
           "next": [{"status": "TIMEOUT", "stepId": "expired"}]},
          {"id": "done", "action": "complete", "config": {"result": "${steps.review.output}"}},
          {"id": "expired", "action": "complete", "config": {"result": "expired"}}]}
        """

    @Test func aSignalResumesTheAwaitWithItsPayloadAsOutput() async throws {
        let clock = ManualClock()
        try await EngineHarness.with(clock: clock) { h in
            try await h.publish("review", Self.review)
            try await subscribe(h)
            let start = clock.now
            let run = try await h.start("review")
            let waiting = try await h.waitForRun(run.id) { $0.status == .waiting }
            #expect(waiting.wait?.signal == "review")
            #expect(waiting.dueAt == start.addingTimeInterval(3600), "due at the timeout")
            let announced = try await events(h)
            #expect(announced.map { $0["type"] } == ["workflow.waiting"], "written with the transition to WAITING")
            #expect(announced.first?["data"]?["signal"] == "review")
            #expect(announced.first?["data"]?["status"] == "WAITING")
            #expect(announced.first?["data"]?["id"] == .string(run.id))

            let receipt = try await h.store.signalRun(
                tenantId: EngineHarness.tenant, id: run.id, name: "review", payload: ["approved": true, "by": "ada"])
            #expect(receipt == SignalReceipt(runId: run.id, signal: "review", consumed: true))
            let done = try await h.finished(run.id)
            #expect(done.status == .completed)
            #expect(done.result == ["approved": true, "by": "ada"])
            let tasks = try await h.tasks(run.id)
            #expect(tasks.map(\.stepId) == ["review", "done"])
            #expect(tasks[0].outcome == .ok)
            #expect(tasks[0].output == ["approved": true, "by": "ada"])
        }
    }

    @Test func anAwaitTimeoutTakesTheTimeoutBranch() async throws {
        let clock = ManualClock()
        try await EngineHarness.with(clock: clock) { h in
            try await h.publish("now", Self.now)
            try await h.publish("review", Self.review)
            let run = try await h.start("review")
            _ = try await h.waitForRun(run.id) { $0.status == .waiting }

            clock.advance(by: 3599)
            try await barrier(h)
            #expect(try await h.store.findRun(tenantId: EngineHarness.tenant, id: run.id)?.status == .waiting)

            clock.advance(by: 1)
            h.store.signals.workAvailable.signal()
            let done = try await h.finished(run.id)
            #expect(done.result == "expired")
            let tasks = try await h.tasks(run.id)
            #expect(tasks.map(\.stepId) == ["review", "expired"])
            #expect(tasks[0].outcome == StepOutcome(.timeout))
            #expect(tasks[0].error?.contains("no signal review") == true)
        }
    }

    @Test func aSignalSentEarlyIsKeptAndTheEarliestIsConsumedByTheAwait() async throws {
        let clock = ManualClock()
        try await EngineHarness.with(clock: clock) { h in
            try await h.publish(
                "d",
                """
                {"name": "d", "steps": [{"id": "pause", "action": "wait", "config": {"seconds": 10}},
                  {"id": "review", "action": "await", "config": {"signal": "review"}},
                  {"id": "done", "action": "complete", "config": {"result": "${steps.review.output}"}}]}
                """)
            try await subscribe(h)
            let run = try await h.start("d")
            _ = try await h.waitForRun(run.id) { $0.status == .waiting }
            for (name, n) in [("review", 1), ("other", 2), ("review", 3)] {
                let receipt = try await h.store.signalRun(tenantId: EngineHarness.tenant, id: run.id, name: name, payload: ["n": .int(n)])
                #expect(receipt?.consumed == false, "the run waits for a timer, not for \(name)")
            }

            clock.advance(by: 10)
            h.store.signals.workAvailable.signal()
            let done = try await h.finished(run.id)
            #expect(done.result == ["n": 1], "the earliest kept signal of that name")
            #expect(try await events(h).isEmpty, "a timer and an await served at once announce no waiting")
            #expect(try await h.tasks(run.id).map(\.stepId) == ["pause", "review", "done"])
        }
    }

    @Test func cancellingAWaitingRunEndsItAndLaterCallsConflict() async throws {
        try await EngineHarness.with(clock: ManualClock()) { h in
            try await h.publish("review", Self.review)
            try await subscribe(h)
            let run = try await h.start("review")
            _ = try await h.waitForRun(run.id) { $0.status == .waiting }

            let cancelled = try #require(try await h.store.cancelRun(tenantId: EngineHarness.tenant, id: run.id))
            #expect(cancelled.status == .cancelled)
            #expect(cancelled.error?.code == "cancelled")
            #expect(cancelled.error?.stepId == "review")
            #expect(cancelled.finishedAt != nil)
            #expect(cancelled.wait == nil && cancelled.dueAt == nil && cancelled.currentStepId == nil)
            await #expect(throws: StoreError.self) {
                try await h.store.signalRun(tenantId: EngineHarness.tenant, id: run.id, name: "review", payload: .null)
            }
            await #expect(throws: StoreError.self) { try await h.store.cancelRun(tenantId: EngineHarness.tenant, id: run.id) }
            #expect(try await h.store.cancelRun(tenantId: "other", id: run.id) == nil, "another tenant's run is unknown")
            #expect(try await h.tasks(run.id).isEmpty)
            let written = try await events(h)
            #expect(written.map { $0["type"] } == ["workflow.waiting", "workflow.cancelled"])
            #expect(written.last?["data"]?["error"]?["code"] == "cancelled")
        }
    }

    @Test func aStepInFlightAtCancelIsAbandonedAndRecordsNothing() async throws {
        final class Box: Sendable { let id = Mutex<String?>(nil) }
        let runId = Box()
        try await EngineHarness.with(clock: ManualClock()) { h in
            try await h.publish(
                "d",
                """
                {"name": "d", "steps": [{"id": "call", "action": "http.request", "config": {"url": "$BASE/hold"}},
                  {"id": "next", "action": "http.request", "config": {"method": "POST", "url": "$BASE/verify"}}]}
                """)
            let run = try await h.start("d")
            runId.id.withLock { $0 = run.id }
            try await waitFor("the step to be in flight") { h.received.count("/hold") == 1 }
            let cancelled = try await h.store.cancelRun(tenantId: EngineHarness.tenant, id: run.id)
            #expect(cancelled?.status == .cancelled)
            #expect(cancelled?.error?.stepId == "call")
            h.received.holdOpen.withLock { $0 = true }
        } afterShutdown: { h in
            // The held step has finished by now; its result was discarded.
            let id = try #require(runId.id.withLock { $0 })
            let run = try #require(try await h.store.findRun(tenantId: EngineHarness.tenant, id: id))
            #expect(run.status == .cancelled)
            #expect(run.finishedAt != nil)
            #expect(try await h.tasks(id).isEmpty, "the abandoned step left no task")
            #expect(h.received.count("/verify") == 0, "the run did not go on")
        }
    }
}
