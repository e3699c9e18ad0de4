import CaseworkerCore
import CaseworkerEngine
import CaseworkerStore
import CaseworkerTestSupport
import Foundation
import Testing

/// `rateLimit` (SPEC 2.7): at most `concurrentExecLimit` active (RUNNING or WAITING) runs per
/// evaluated key; the others stay PENDING and start in start order as slots free.
@Suite struct RateLimitTests {
    static let limited = """
        {"name": "limited", "rateLimit": {"key": "${input.company}", "concurrentExecLimit": 2},
         "steps": [{"id": "hold", "action": "await", "config": {"signal": "go"}},
                   {"id": "done", "action": "complete", "config": {"result": "${input.n}"}}]}
        """

    func status(_ h: EngineHarness, _ run: Run) async throws -> RunStatus? {
        try await h.store.findRun(tenantId: EngineHarness.tenant, id: run.id)?.status
    }

    /// Proves the engine has claimed at a time after every earlier commit.
    func barrier(_ h: EngineHarness) async throws {
        _ = try await h.finished(try await h.start("now").id)
    }

    @Test func runsOverTheLimitStayPendingAndStartInStartOrderAsSlotsFree() async throws {
        try await EngineHarness.with(clock: ManualClock()) { h in
            try await h.publish("now", WaitTests.now)
            try await h.publish("limited", Self.limited)
            var runs: [Run] = []
            for n in 1...4 { runs.append(try await h.start("limited", input: ["company": "A", "n": .int(n)])) }
            #expect(runs.allSatisfy { $0.status == .pending })
            _ = try await h.waitForRun(runs[0].id) { $0.status == .waiting }
            _ = try await h.waitForRun(runs[1].id) { $0.status == .waiting }
            try await barrier(h)
            #expect(try await status(h, runs[2]) == .pending)
            #expect(try await status(h, runs[3]) == .pending)

            // Another key has its own slots.
            let other = try await h.start("limited", input: ["company": "B", "n": 9])
            _ = try await h.waitForRun(other.id) { $0.status == .waiting }

            // A slot frees when a run of the key ends: the earliest pending run takes it.
            _ = try await h.store.signalRun(tenantId: EngineHarness.tenant, id: runs[1].id, name: "go", payload: .null)
            #expect(try await h.finished(runs[1].id).status == .completed)
            _ = try await h.waitForRun(runs[2].id) { $0.status == .waiting }
            try await barrier(h)
            #expect(try await status(h, runs[3]) == .pending)

            // A cancel frees a slot too.
            _ = try await h.store.cancelRun(tenantId: EngineHarness.tenant, id: runs[0].id)
            _ = try await h.waitForRun(runs[3].id) { $0.status == .waiting }
            let started = try await h.store.listRuns(
                tenantId: EngineHarness.tenant, filter: RunFilter(workflowDefinitionId: "limited"), page: .init(limit: 10)
            ).items.filter { $0.input["company"] == "A" }
            #expect(started.allSatisfy { $0.startedAt != nil })
        }
    }

    @Test func aRunOnlyPendingBehindTheLimitDoesNotKeepTheEngineBusy() async throws {
        try await EngineHarness.with(clock: ManualClock()) { h in
            try await h.publish("limited", Self.limited)
            let first = try await h.start("limited", input: ["company": "A", "n": 1])
            let second = try await h.start("limited", input: ["company": "A", "n": 2])
            let third = try await h.start("limited", input: ["company": "A", "n": 3])
            _ = try await h.waitForRun(second.id) { $0.status == .waiting }
            // The blocked run is not "due" for the engine's sleep: it waits for a slot, not for time.
            let next = try await h.store.nextDueDate()
            #expect(next == nil, "nothing is due: two runs wait for a signal and one for a slot")
            _ = try await h.store.signalRun(tenantId: EngineHarness.tenant, id: first.id, name: "go", payload: .null)
            _ = try await h.waitForRun(third.id) { $0.status == .waiting }
        }
    }

    @Test func aLongQueueBehindOneKeyHoldsUpNoOtherRunAndStartsInOrder() async throws {
        try await EngineHarness.with(clock: ManualClock()) { h in
            try await h.publish("now", WaitTests.now)
            try await h.publish("limited", Self.limited)
            var queue: [Run] = []
            for n in 1...30 { queue.append(try await h.start("limited", input: ["company": "A", "n": .int(n)])) }
            _ = try await h.waitForRun(queue[1].id) { $0.status == .waiting }
            // Runs of another key (of this definition or another one), and runs without a limit,
            // start past the queue.
            try await h.publish("limited-too", Self.limited)
            let other = try await h.start("limited", input: ["company": "B", "n": 1])
            _ = try await h.waitForRun(other.id) { $0.status == .waiting }
            let otherDefinition = try await h.start("limited-too", input: ["company": "A", "n": 1])
            _ = try await h.waitForRun(otherDefinition.id) { $0.status == .waiting }
            try await barrier(h)
            #expect(try await h.store.nextDueDate() == nil, "the queue waits for slots, not for time")

            _ = try await h.store.signalRun(tenantId: EngineHarness.tenant, id: queue[0].id, name: "go", payload: .null)
            _ = try await h.waitForRun(queue[2].id) { $0.status == .waiting }
            try await barrier(h)
            for run in queue[3...] { #expect(try await status(h, run) == .pending) }
        }
    }
}
