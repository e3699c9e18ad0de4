import CaseworkerCore
import Foundation
import HTTPTypes
import Testing

/// Child runs and rate-limited queues, proven by killing the real daemon in the middle of them.
@Suite struct CompositionRecoveryTests {
    @Test func childRunsAndQueuedRunsSurviveSIGKILL() async throws {
        let (directory, config) = try instanceDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = try await createKey(config: config, in: directory)

        let first = try await DaemonProcess(["serve", "--config", config], in: directory)
        var port = try await first.waitForPort()
        let hold: JSONValue = ["id": "hold", "action": "await", "config": ["signal": "go"]]
        let definitions: [String: JSONValue] = [
            "child": ["name": "child", "isDraft": false, "steps": [hold, ["id": "done", "action": "complete", "config": ["result": "child done"]]]],
            "parent": [
                "name": "parent", "isDraft": false,
                "steps": [["id": "sub", "action": "workflow.run", "config": ["workflowDefinitionId": "child"]]],
            ],
            "limited": [
                "name": "limited", "isDraft": false, "rateLimit": ["key": "one", "concurrentExecLimit": 1],
                "steps": [hold, ["id": "done", "action": "complete"]],
            ],
        ]
        for (id, body) in definitions {
            #expect(try await request(port: port, .put, "/v1/workflow-definitions/\(id)", key: key, json: body).0 == .created)
        }
        let parent = try #require(try await RunRecoveryTests.startRuns(port: port, key: key, definition: "parent", count: 1).first)
        let waiting = try await RunRecoveryTests.waitForStatus(port: port, key: key, run: parent, "WAITING")
        let child = try #require(waiting["waitingFor"]?["childRunId"]?.stringValue)
        _ = try await RunRecoveryTests.waitForStatus(port: port, key: key, run: child, "WAITING")
        let limited = try await RunRecoveryTests.startRuns(port: port, key: key, definition: "limited", count: 2)
        _ = try await RunRecoveryTests.waitForStatus(port: port, key: key, run: limited[0], "WAITING")
        #expect(try await request(port: port, .get, "/v1/workflows/\(limited[1])", key: key).1["status"] == "PENDING")

        first.signal(SIGKILL)
        #expect(try await first.waitForExit() == SIGKILL)

        let second = try await DaemonProcess(["serve", "--config", config], in: directory)
        port = try await second.waitForPort()
        #expect(try await request(port: port, .get, "/v1/workflows/\(limited[1])", key: key).1["status"] == "PENDING")
        for run in [child, limited[0]] {
            let (status, _) = try await request(port: port, .post, "/v1/workflows/\(run)/signals/go", key: key, json: [:])
            #expect(status == .accepted)
        }
        _ = try await RunRecoveryTests.waitForStatus(port: port, key: key, run: parent, "COMPLETED")
        let (_, result) = try await request(port: port, .get, "/v1/workflows/\(parent)/result", key: key)
        #expect(result["result"] == "child done")
        let (_, children) = try await request(port: port, .get, "/v1/workflows?workflowDefinitionId=child", key: key)
        #expect(children["items"]?.arrayValue?.count == 1, "one child, not a second one after the restart")

        _ = try await RunRecoveryTests.waitForStatus(port: port, key: key, run: limited[1], "WAITING")
        let (status, _) = try await request(port: port, .post, "/v1/workflows/\(limited[1])/signals/go", key: key, json: [:])
        #expect(status == .accepted)
        _ = try await RunRecoveryTests.waitForStatus(port: port, key: key, run: limited[1], "COMPLETED")

        second.signal(SIGTERM)
        #expect(try await second.waitForExit() == 0)
    }
}
