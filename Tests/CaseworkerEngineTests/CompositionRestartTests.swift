import CaseworkerCore
import CaseworkerEngine
import CaseworkerStore
import CaseworkerTestSupport
import Foundation
import Synchronization
import Testing

/// A restart of the engine on the same SQLite file in the middle of child runs, queued
/// rate-limited runs and a workflow timeout: everything the engine needs is in the database.
@Suite struct CompositionRestartTests {
    final class Ids: Sendable {
        let parent = Mutex<String?>(nil)
        let queued = Mutex<[String]>([])
        let timed = Mutex<String?>(nil)
    }

    @Test func childRunsQueuedRunsAndDeadlinesSurviveARestart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("caseworker-restart-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let clock = ManualClock()
        let ids = Ids()

        // First life: a parent waits for its child (which waits on a 60 s timer), three runs of a
        // limit-1 key (one waiting on a timer, two queued), and a run with a 100 s deadline.
        try await EngineHarness.with(clock: clock, directory: directory) { h in
            try await h.publish(
                "child",
                #"{"name": "child", "steps": [{"id": "pause", "action": "wait", "config": {"seconds": 60}}, {"id": "done", "action": "complete", "config": {"result": "slept"}}]}"#)
            try await h.publish("parent", ChildRunTests.parent.replacingOccurrences(of: #""input": {"n": "${input.n}"}"#, with: #""input": {}"#))
            try await h.publish(
                "queued",
                """
                {"name": "queued", "rateLimit": {"key": "${case.companyNumber}", "concurrentExecLimit": 1},
                 "steps": [{"id": "pause", "action": "wait", "config": {"seconds": 60}}, {"id": "done", "action": "complete"}]}
                """)
            try await h.publish(
                "timed",
                """
                {"name": "timed", "timeoutSeconds": 100,
                 "steps": [{"id": "hold", "action": "await", "config": {"signal": "go"}}, {"id": "done", "action": "complete"}]}
                """)
            let parent = try await h.start("parent")
            ids.parent.withLock { $0 = parent.id }
            let waiting = try await h.waitForRun(parent.id) { $0.status == .waiting }
            _ = try await h.waitForRun(try #require(waiting.wait?.childRunId)) { $0.status == .waiting }
            var queued: [String] = []
            for _ in 0..<3 { queued.append(try await h.start("queued").id) }
            ids.queued.withLock { $0 = queued }
            _ = try await h.waitForRun(queued[0]) { $0.status == .waiting }
            let timed = try await h.start("timed")
            ids.timed.withLock { $0 = timed.id }
            _ = try await h.waitForRun(timed.id) { $0.status == .waiting }
        }

        // Second life, 60 s later: the child's timer fires, the child wakes the parent; the first
        // queued run completes and the next one starts, in order; at 100 s the deadline passes.
        clock.advance(by: 60)
        try await EngineHarness.with(clock: clock, directory: directory) { h in
            let parentId = try #require(ids.parent.withLock { $0 })
            let parent = try await h.finished(parentId)
            #expect(parent.status == .completed)
            #expect(parent.result == "slept")
            let queued = ids.queued.withLock { $0 }
            #expect(try await h.finished(queued[0]).status == .completed)
            let second = try await h.waitForRun(queued[1]) { $0.status == .waiting }
            #expect(try await h.store.findRun(tenantId: EngineHarness.tenant, id: queued[2])?.status == .pending)
            #expect(second.startedAt == clock.now)

            clock.advance(by: 40)
            h.store.signals.workAvailable.signal()
            let timed = try await h.finished(try #require(ids.timed.withLock { $0 }))
            #expect(timed.status == .timedOut)
            #expect(timed.error?.code == "workflow_timeout")
        }
    }
}
