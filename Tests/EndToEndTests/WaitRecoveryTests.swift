import CaseworkerCore
import Foundation
import HTTPTypes
import Testing

/// A durable timer, proven by killing the real daemon while a run waits on it.
@Suite struct WaitRecoveryTests {
    @Test func aRunWaitingOnATimerSurvivesSIGKILLAndCompletesAfterRestart() async throws {
        let (directory, config) = try instanceDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = try await createKey(config: config, in: directory)

        let first = try await DaemonProcess(["serve", "--config", config], in: directory)
        var port = try await first.waitForPort()
        // 15 s: long enough to see the run WAITING and kill the daemon even on a loaded machine.
        let definition: JSONValue = [
            "name": "pause", "isDraft": false,
            "steps": [
                ["id": "pause", "action": "wait", "config": ["seconds": 15]],
                ["id": "done", "action": "complete", "config": ["result": "${steps.pause.output}"]],
            ],
        ]
        #expect(try await request(port: port, .put, "/v1/workflow-definitions/pause", key: key, json: definition).0 == .created)
        let id = try #require(try await RunRecoveryTests.startRuns(port: port, key: key, definition: "pause", count: 1).first)
        let waiting = try await RunRecoveryTests.waitForStatus(port: port, key: key, run: id, "WAITING")
        let until = try #require(waiting["waitingFor"]?["until"]?.stringValue)
        #expect(waiting["waitingFor"]?["signal"] == .null)

        first.signal(SIGKILL)
        #expect(try await first.waitForExit() == SIGKILL)
        let killedAt = Date()
        #expect(killedAt < (try #require(Timestamp.parse(until))), "killed while the timer was still pending")

        let second = try await DaemonProcess(["serve", "--config", config], in: directory)
        port = try await second.waitForPort()
        _ = try await RunRecoveryTests.waitForStatus(port: port, key: key, run: id, "COMPLETED")
        let (_, result) = try await request(port: port, .get, "/v1/workflows/\(id)/result", key: key)
        #expect(result["result"] == ["waitedUntil": .string(until)])
        let (_, execution) = try await request(port: port, .get, "/v1/workflows/\(id)/execution", key: key)
        let tasks = try #require(execution["tasks"]?.arrayValue)
        #expect(tasks.map { $0["stepId"] } == ["pause", "done"], "the wait step recorded once")
        let woke = try #require(tasks.first?["finishedAt"]?.stringValue.flatMap(Timestamp.parse))
        #expect(woke >= (try #require(Timestamp.parse(until))), "it woke on time, not early")

        second.signal(SIGTERM)
        #expect(try await second.waitForExit() == 0)
    }
}
