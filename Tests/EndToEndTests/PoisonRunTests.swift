import CaseworkerCore
import CaseworkerTestSupport
import Foundation
import GRDB
import Testing

/// A run the engine itself cannot execute (here: its pinned definition version was changed under
/// it into one this release refuses to parse) ends, instead of being claimed again every second
/// forever: each failure is counted on the run and logged, the run backs off, and at
/// `engine.maxExecutorFailures` it ends `FAILED` with `internal_error` and its event.
@Suite struct PoisonRunTests {
    @Test func aRunTheEngineCannotExecuteEndsFailedWithInternalErrorAfterTheConfiguredFailures() async throws {
        let (directory, config) = try instanceDirectory(engine: "  maxExecutorFailures: 3")
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = try await createKey(config: config, in: directory)

        let first = try await DaemonProcess(["serve", "--config", config], in: directory)
        var port = try await first.waitForPort()
        let definition: JSONValue = [
            "name": "pause", "isDraft": false,
            "steps": [["id": "pause", "action": "wait", "config": ["seconds": 3600]], ["id": "done", "action": "complete"]],
        ]
        #expect(try await request(port: port, .put, "/v1/workflow-definitions/pause", key: key, json: definition).0 == .created)
        let id = try #require(try await RunRecoveryTests.startRuns(port: port, key: key, definition: "pause", count: 1).first)
        _ = try await RunRecoveryTests.waitForStatus(port: port, key: key, run: id, "WAITING")
        first.signal(SIGTERM)
        #expect(try await first.waitForExit() == 0)

        // Plant the poison: the run's published version becomes content this parser refuses; and
        // its timer is made to have fired while the daemon was down.
        let database = try DatabaseQueue(path: directory.appendingPathComponent("caseworker.sqlite").path)
        try await database.write { db in
            try db.execute(sql: "DROP TRIGGER workflow_definition_versions_immutable_update")
            try db.execute(
                sql: "UPDATE workflow_definition_versions SET content = ? WHERE version_id = (SELECT version_id FROM runs WHERE id = ?)",
                arguments: [#"{"name": "pause", "steps": []}"#, id])
            try db.execute(sql: "UPDATE runs SET due_at = 0, wait_until = 0 WHERE id = ?", arguments: [id])
        }

        let second = try await DaemonProcess(["serve", "--config", config], in: directory)
        port = try await second.waitForPort()
        let failed = try await RunRecoveryTests.waitForStatus(port: port, key: key, run: id, "FAILED")
        #expect(failed["error"]?["code"] == "internal_error", "\(failed)")
        #expect(failed["error"]?["message"]?.stringValue?.contains("3 times") == true, "\(failed)")
        #expect(failed["error"]?["stepId"] == "pause")

        // One error line per failure, naming the run; then the run stays ended.
        let failures = try await waitForValue("three failure lines") {
            let lines = second.text.split(separator: "\n").filter { $0.contains("run execution failed") && $0.contains(id) }
            return lines.count >= 3 ? lines.count : nil
        }
        #expect(failures == 3)
        let events = try await database.read { db in
            try String.fetchAll(db, sql: "SELECT type FROM webhook_events WHERE run_id = ? ORDER BY id", arguments: [id])
        }
        #expect(events == ["workflow.failed"])
        second.signal(SIGTERM)
        #expect(try await second.waitForExit() == 0)
        #expect(second.text.split(separator: "\n").filter { $0.contains("run execution failed") && $0.contains(id) }.count == 3)
        try await database.close()
    }
}
