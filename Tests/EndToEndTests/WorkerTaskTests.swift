import CaseworkerCore
import CaseworkerTestSupport
import Foundation
import HTTPTypes
import Testing

/// `task` steps and the workers' API (issue #19), against the real daemon: a worker polls,
/// heartbeats and completes; a worker that stops heartbeating loses its task to another, and its
/// late completion gets 409; a leased task survives SIGKILL of the daemon.
@Suite struct WorkerTaskTests {
    static func definition(timeoutSeconds: Int = 120, heartbeatSeconds: Int = 2, retry: JSONValue? = nil) -> JSONValue {
        var check: [String: JSONValue] = [
            "id": "check", "action": "task",
            "config": ["queue": "sanctions", "input": ["caseId": "${case.id}", "name": "${case.firstName}"],
                       "timeoutSeconds": .int(timeoutSeconds), "heartbeatSeconds": .int(heartbeatSeconds)],
            "next": [["status": "KO", "code": "hit", "stepId": "refer"]],
        ]
        if let retry { check["retry"] = retry }
        return [
            "name": "screen", "isDraft": false,
            "steps": [
                .object(check),
                ["id": "done", "action": "complete", "config": ["result": ["check": "${steps.check.output}"]]],
                ["id": "refer", "action": "complete", "config": ["result": "refer"]],
            ],
        ]
    }

    /// A key named `name` with `scope` (the workers' by default) in `tenant`.
    static func workerKey(
        _ name: String, config: String, in directory: URL, tenant: String = "acme", scope: String = "tasks:work"
    ) async throws -> String {
        let (status, output) = try await runCaseworker(
            ["keys", "create", "--config", config, "--tenant", tenant, "--name", name, "--scope", scope], in: directory)
        guard status == 0, let key = output.split(separator: "\n").last.map(String.init), key.hasPrefix("cwk_") else {
            throw DaemonProcess.Failure(message: "keys create failed: \(output)")
        }
        return key
    }

    /// Runs `body` against a daemon on a fresh directory (its config with `extraConfig`), given
    /// the directory, the config's path, the daemon's port and an admin key; then stops the
    /// daemon and expects a clean exit.
    static func withDaemon(
        extraConfig: String = "", _ body: (_ directory: URL, _ config: String, _ port: Int, _ key: String) async throws -> Void
    ) async throws {
        let (directory, config) = try instanceDirectory(extraConfig: extraConfig)
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = try await createKey(config: config, in: directory)
        let daemon = try await DaemonProcess(["serve", "--config", config], in: directory)
        try await body(directory, config, try await daemon.waitForPort(), key)
        daemon.signal(SIGTERM)
        #expect(try await daemon.waitForExit() == 0)
    }

    @Test func aWorkerPollsHeartbeatsAndCompletes() async throws {
        try await Self.withDaemon { directory, config, port, key in
            let worker = try await Self.workerKey("sanctions-worker", config: config, in: directory)
            let other = try await Self.workerKey("intruder", config: config, in: directory, tenant: "other")
            #expect(try await request(port: port, .put, "/v1/workflow-definitions/screen", key: key, json: Self.definition(heartbeatSeconds: 120)).0 == .created)

            // Nothing queued yet: the poll waits, then answers 204.
            #expect(try await request(port: port, .post, "/v1/tasks/poll", key: worker, json: ["queues": ["sanctions"], "waitSeconds": 1]).0 == .noContent)
            let run = try #require(try await RunRecoveryTests.startRuns(port: port, key: key, definition: "screen", count: 1).first)
            // Another tenant's worker sees nothing; a key without tasks:work is refused.
            #expect(try await request(port: port, .post, "/v1/tasks/poll", key: other, json: ["queues": ["sanctions"], "waitSeconds": 1]).0 == .noContent)
            let reader = try await Self.workerKey("reader", config: config, in: directory, scope: "workflows:write")
            #expect(try await request(port: port, .post, "/v1/tasks/poll", key: reader, json: ["queues": ["sanctions"]]).0 == .forbidden)

            let (status, lease) = try await request(port: port, .post, "/v1/tasks/poll", key: worker, json: ["queues": ["sanctions"], "waitSeconds": 30])
            #expect(status == .ok)
            #expect(lease["runId"] == .string(run))
            #expect(lease["stepId"] == "check")
            #expect(lease["attempt"] == 1)
            #expect(lease["worker"] == "sanctions-worker")
            #expect(lease["input"]?["name"] == "Ada")
            let leaseId = try #require(lease["id"]?.stringValue)
            let (_, waiting) = try await request(port: port, .get, "/v1/workflows/\(run)", key: key)
            #expect(waiting["status"] == "WAITING")
            #expect(waiting["waitingFor"]?["taskQueue"] == "sanctions")

            let (beat, renewed) = try await request(port: port, .post, "/v1/tasks/\(leaseId)/heartbeat", key: worker)
            #expect(beat == .ok)
            #expect(renewed["leaseExpiresAt"] != nil)
            let (completed, answer) = try await request(
                port: port, .post, "/v1/tasks/\(leaseId)/complete", key: worker, json: ["output": ["clear": true, "score": 3]])
            #expect(completed == .ok)
            #expect(answer["status"] == "COMPLETED")
            _ = try await RunRecoveryTests.waitForStatus(port: port, key: key, run: run, "COMPLETED")
            let (_, result) = try await request(port: port, .get, "/v1/workflows/\(run)/result", key: key)
            #expect(result["result"] == ["check": ["clear": true, "score": 3]])
            let (_, execution) = try await request(port: port, .get, "/v1/workflows/\(run)/execution", key: key)
            let task = try #require(execution["tasks"]?.arrayValue?.first)
            #expect(task["action"] == "task")
            #expect(task["parameters"]?["worker"] == "sanctions-worker")
            // The lease is done: completing it again is a conflict; an unknown lease is not found.
            #expect(try await request(port: port, .post, "/v1/tasks/\(leaseId)/complete", key: worker, json: ["output": 1]).0 == .conflict)
            #expect(try await request(port: port, .post, "/v1/tasks/lease_nope/heartbeat", key: worker).0 == .notFound)
            #expect(try await request(port: port, .post, "/v1/tasks/\(leaseId)/heartbeat", key: other).0 == .notFound)

        }
    }

    @Test func aWorkerThatStopsHeartbeatingLosesItsTaskAndItsLateCompletionGets409() async throws {
        try await Self.withDaemon { directory, config, port, key in
            let first = try await Self.workerKey("worker-a", config: config, in: directory)
            let second = try await Self.workerKey("worker-b", config: config, in: directory)
            #expect(try await request(port: port, .put, "/v1/workflow-definitions/screen", key: key, json: Self.definition(heartbeatSeconds: 1)).0 == .created)
            let run = try #require(try await RunRecoveryTests.startRuns(port: port, key: key, definition: "screen", count: 1).first)

            let (_, lost) = try await request(port: port, .post, "/v1/tasks/poll", key: first, json: ["queues": ["sanctions"], "waitSeconds": 30])
            let lostId = try #require(lost["id"]?.stringValue)
            // worker-a goes silent; worker-b's poll gets the task once the lease has expired.
            let (status, taken) = try await request(port: port, .post, "/v1/tasks/poll", key: second, json: ["queues": ["sanctions"], "waitSeconds": 30])
            #expect(status == .ok)
            #expect(taken["taskId"] == lost["taskId"])
            #expect((taken["attempt"]?.intValue ?? 0) >= 2)
            #expect(taken["worker"] == "worker-b")
            let (late, problem) = try await request(port: port, .post, "/v1/tasks/\(lostId)/complete", key: first, json: ["output": "late"])
            #expect(late == .conflict)
            #expect(problem["detail"]?.stringValue?.contains("lost") == true)
            #expect(try await request(port: port, .post, "/v1/tasks/\(lostId)/heartbeat", key: first).0 == .conflict)
            // worker-b's failure routes the run: code hit goes to refer. Its own one-second lease may
            // expire on a busy machine before it answers: then it polls the task again, as a worker does.
            var leaseId = try #require(taken["id"]?.stringValue)
            var failed = HTTPResponse.Status.conflict
            for _ in 0..<20 where failed == .conflict {
                (failed, _) = try await request(
                    port: port, .post, "/v1/tasks/\(leaseId)/fail", key: second, json: ["code": "hit", "message": "listed", "retryable": false])
                if failed == .conflict {
                    let (_, again) = try await request(port: port, .post, "/v1/tasks/poll", key: second, json: ["queues": ["sanctions"], "waitSeconds": 30])
                    leaseId = try #require(again["id"]?.stringValue)
                }
            }
            #expect(failed == .ok)
            _ = try await RunRecoveryTests.waitForStatus(port: port, key: key, run: run, "COMPLETED")
            let (_, result) = try await request(port: port, .get, "/v1/workflows/\(run)/result", key: key)
            #expect(result["result"] == "refer")

        }
    }

    @Test func aTaskNobodyFinishesTimesOutAndIsClosed() async throws {
        try await Self.withDaemon { directory, config, port, key in
            let worker = try await Self.workerKey("worker", config: config, in: directory)
            #expect(try await request(port: port, .put, "/v1/workflow-definitions/screen", key: key, json: Self.definition(timeoutSeconds: 1, heartbeatSeconds: 1)).0 == .created)
            let run = try #require(try await RunRecoveryTests.startRuns(port: port, key: key, definition: "screen", count: 1).first)
            let ended = try await RunRecoveryTests.waitForStatus(port: port, key: key, run: run, "TIMED_OUT")
            #expect(ended["error"]?["stepId"] == "check")
            #expect(try await request(port: port, .post, "/v1/tasks/poll", key: worker, json: ["queues": ["sanctions"]]).0 == .noContent)

            // Bad bodies are refused with their pointers.
            let (bad, problem) = try await request(port: port, .post, "/v1/tasks/poll", key: worker, json: ["queues": [], "waitSeconds": 99])
            #expect(bad == .unprocessableContent)
            #expect(problem["errors"]?.arrayValue?.compactMap { $0["property"]?.stringValue }.sorted() == ["/queues", "/waitSeconds"])
        }
    }

    @Test func aLeasedTaskSurvivesSIGKILLAndTheWaitingTaskIsCounted() async throws {
        let (directory, config) = try instanceDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = try await createKey(config: config, in: directory)
        let worker = try await Self.workerKey("worker", config: config, in: directory)
        let first = try await DaemonProcess(["serve", "--config", config], in: directory)
        var port = try await first.waitForPort()
        #expect(try await request(port: port, .put, "/v1/workflow-definitions/screen", key: key, json: Self.definition(heartbeatSeconds: 60)).0 == .created)
        let run = try #require(try await RunRecoveryTests.startRuns(port: port, key: key, definition: "screen", count: 1).first)
        let firstPort = port
        // The sampler shows the queued task before any worker takes it.
        _ = try await waitForValue("the waiting task in /metrics", timeout: .seconds(30)) { () -> Bool? in
            let text = try await TestJSONClient.withServer(port: firstPort) { try await $0.send(.get, "/metrics", key: nil).text }
            return text.contains(#"caseworker_tasks_waiting{queue="sanctions"} 1"#) ? true : nil
        }
        let (_, lease) = try await request(port: port, .post, "/v1/tasks/poll", key: worker, json: ["queues": ["sanctions"], "waitSeconds": 30])
        let leaseId = try #require(lease["id"]?.stringValue)
        first.signal(SIGKILL)
        #expect(try await first.waitForExit() == SIGKILL)

        let second = try await DaemonProcess(["serve", "--config", config], in: directory)
        port = try await second.waitForPort()
        #expect(try await request(port: port, .post, "/v1/tasks/\(leaseId)/complete", key: worker, json: ["output": "after restart"]).0 == .ok)
        _ = try await RunRecoveryTests.waitForStatus(port: port, key: key, run: run, "COMPLETED")
        let (_, execution) = try await request(port: port, .get, "/v1/workflows/\(run)/execution", key: key)
        #expect(execution["tasks"]?.arrayValue?.map { $0["stepId"] } == ["check", "done"])
        second.signal(SIGTERM)
        #expect(try await second.waitForExit() == 0)
    }

    @Test func aRetryableFailureRunsTheStepAgainWithANewTask() async throws {
        try await Self.withDaemon { directory, config, port, key in
            let worker = try await Self.workerKey("worker", config: config, in: directory)
            let definition = Self.definition(heartbeatSeconds: 120, retry: ["maxAttempts": 2, "backoff": "fixed", "initialDelaySeconds": 0])
            #expect(try await request(port: port, .put, "/v1/workflow-definitions/screen", key: key, json: definition).0 == .created)
            let run = try #require(try await RunRecoveryTests.startRuns(port: port, key: key, definition: "screen", count: 1).first)

            let (_, first) = try await request(port: port, .post, "/v1/tasks/poll", key: worker, json: ["queues": ["sanctions"], "waitSeconds": 30])
            let firstId = try #require(first["id"]?.stringValue)
            let (failed, _) = try await request(
                port: port, .post, "/v1/tasks/\(firstId)/fail", key: worker, json: ["code": "unavailable", "message": "the list is down", "retryable": true])
            #expect(failed == .ok)
            // The step's retry queues a new task (a new taskId, attempt 1 of its own).
            let (_, second) = try await request(port: port, .post, "/v1/tasks/poll", key: worker, json: ["queues": ["sanctions"], "waitSeconds": 30])
            #expect(second["taskId"] != first["taskId"])
            #expect(second["attempt"] == 1)
            let secondId = try #require(second["id"]?.stringValue)
            #expect(try await request(port: port, .post, "/v1/tasks/\(secondId)/complete", key: worker, json: ["output": "clear"]).0 == .ok)
            _ = try await RunRecoveryTests.waitForStatus(port: port, key: key, run: run, "COMPLETED")
            let (_, execution) = try await request(port: port, .get, "/v1/workflows/\(run)/execution", key: key)
            let attempts = execution["tasks"]?.arrayValue?.filter { $0["stepId"] == "check" } ?? []
            #expect(attempts.map { $0["status"] } == ["KO", "OK"])
            #expect(attempts.map { $0["code"] } == ["unavailable", .null])
        }
    }

    @Test func cancellingTheRunClosesItsTask() async throws {
        try await Self.withDaemon { directory, config, port, key in
            let worker = try await Self.workerKey("worker", config: config, in: directory)
            #expect(try await request(port: port, .put, "/v1/workflow-definitions/screen", key: key, json: Self.definition(heartbeatSeconds: 120)).0 == .created)
            let run = try #require(try await RunRecoveryTests.startRuns(port: port, key: key, definition: "screen", count: 1).first)
            let (_, lease) = try await request(port: port, .post, "/v1/tasks/poll", key: worker, json: ["queues": ["sanctions"], "waitSeconds": 30])
            let leaseId = try #require(lease["id"]?.stringValue)
            #expect(try await request(port: port, .post, "/v1/workflows/\(run)/cancel", key: key).0 == .ok)
            let (late, problem) = try await request(port: port, .post, "/v1/tasks/\(leaseId)/complete", key: worker, json: ["output": 1])
            #expect(late == .conflict)
            #expect(problem["detail"]?.stringValue?.contains("CANCELLED") == true)
        }
    }

    @Test func anOutputPastTheValueLimitIsRefusedAndTheLeaseKept() async throws {
        try await Self.withDaemon(extraConfig: "limits:\n  maxValueBytes: 1024\n") { directory, config, port, key in
            let worker = try await Self.workerKey("worker", config: config, in: directory)
            #expect(try await request(port: port, .put, "/v1/workflow-definitions/screen", key: key, json: Self.definition(heartbeatSeconds: 120)).0 == .created)
            let run = try #require(try await RunRecoveryTests.startRuns(port: port, key: key, definition: "screen", count: 1).first)
            let (_, lease) = try await request(port: port, .post, "/v1/tasks/poll", key: worker, json: ["queues": ["sanctions"], "waitSeconds": 30])
            let leaseId = try #require(lease["id"]?.stringValue)
            let (status, problem) = try await request(
                port: port, .post, "/v1/tasks/\(leaseId)/complete", key: worker, json: ["output": .string(String(repeating: "x", count: 2000))])
            #expect(status == .unprocessableContent)
            #expect(problem["errors"]?.arrayValue?.first?["property"] == "/output")
            #expect(try await request(port: port, .post, "/v1/tasks/\(leaseId)/complete", key: worker, json: ["output": "small"]).0 == .ok)
            _ = try await RunRecoveryTests.waitForStatus(port: port, key: key, run: run, "COMPLETED")
        }
    }
}
