import CaseworkerCore
import CaseworkerTestSupport
import Foundation
import HTTPTypes
import Testing

/// Durability of runs, proven by killing the real daemon.
@Suite struct RunRecoveryTests {
    static func kycDefinition(_ base: String) -> JSONValue {
        [
            "name": "kyc", "isDraft": false,
            "steps": [
                ["id": "verify", "action": "http.request",
                 "config": ["method": "POST", "url": .string("\(base)/verify"), "body": ["case": "${case.id}"]],
                 "next": [["status": "OK", "when": "${steps.verify.output.body.score >= 50}", "stepId": "approve"]]],
                ["id": "refer", "action": "complete", "config": ["result": ["decision": "refer"]]],
                ["id": "approve", "action": "complete",
                 "config": ["result": ["decision": "approve", "score": "${steps.verify.output.body.score}"]]],
            ],
        ]
    }

    /// Starts `count` runs of `definition` for one new case; returns their ids.
    static func startRuns(port: Int, key: String, definition: String, count: Int) async throws -> [String] {
        let (_, created) = try await request(port: port, .post, "/v1/cases", key: key, json: ["firstName": "Ada"])
        let caseId = try #require(created["id"]?.stringValue)
        var ids: [String] = []
        for _ in 0..<count {
            let (status, run) = try await request(
                port: port, .post, "/v1/workflows/run", key: key,
                json: ["caseId": .string(caseId), "workflowDefinitionId": .string(definition)])
            #expect(status == .created)
            ids.append(try #require(run["id"]?.stringValue))
        }
        return ids
    }

    static func waitForStatus(port: Int, key: String, run: String, _ wanted: String) async throws -> JSONValue {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let (_, body) = try await request(port: port, .get, "/v1/workflows/\(run)?waitSeconds=5", key: key)
            if body["status"] == .string(wanted) { return body }
        }
        throw DaemonProcess.Failure(message: "run \(run) did not reach \(wanted)")
    }

    @Test func everyRunReachesItsTerminalStateExactlyOnceAfterSIGKILL() async throws {
        let stub = try await StubProvider.start(passThrough: 10)
        defer { Task { await stub.stop() } }
        let (directory, config) = try instanceDirectory(extraConfig: "webhooks:\n  allowedNetworks: [127.0.0.0/8]\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = try await createKey(config: config, in: directory)

        try await HookReceiver.with { hooks in
            let first = try await DaemonProcess(["serve", "--config", config], in: directory)
            let firstPort = try await first.waitForPort()
            var port = firstPort
            #expect(try await request(port: port, .put, "/v1/workflow-definitions/kyc", key: key, json: Self.kycDefinition(stub.baseURL)).0 == .created)
            let (endpointStatus, _) = try await request(
                port: port, .post, "/v1/webhook-endpoints", key: key, json: ["url": .string("http://127.0.0.1:\(hooks.port)/hook")])
            #expect(endpointStatus == .created)
            let ids = try await Self.startRuns(port: port, key: key, definition: "kyc", count: 40)

            // Ten runs complete; the others hold a step in flight at the provider. Kill the daemon then.
            _ = try await waitForValue("10 runs to complete") {
                let (_, list) = try await request(port: firstPort, .get, "/v1/workflows?status=COMPLETED&limit=500", key: key)
                return (list["items"]?.arrayValue?.count ?? 0) >= 10 ? true : nil
            }
            _ = try await waitForValue("steps held in flight") { stub.heldCount >= 20 ? true : nil }
            first.signal(SIGKILL)
            #expect(try await first.waitForExit() == SIGKILL)
            let heldAtKill = Set(stub.keys.dropFirst(10))
            stub.open()

            let second = try await DaemonProcess(["serve", "--config", config], in: directory)
            port = try await second.waitForPort()
            for id in ids {
                let run = try await Self.waitForStatus(port: port, key: key, run: id, "COMPLETED")
                #expect(run["error"] == .null)
                let (_, result) = try await request(port: port, .get, "/v1/workflows/\(id)/result", key: key)
                #expect(result["result"] == ["decision": "approve", "score": 72])
                let (_, execution) = try await request(port: port, .get, "/v1/workflows/\(id)/execution", key: key)
                #expect(execution["tasks"]?.arrayValue?.map { $0["stepId"] } == ["verify", "approve"], "each step recorded exactly once")
            }
            // The interrupted steps ran again with the same idempotency key (at-least-once, de-duplicable).
            let keys = stub.keys
            for held in heldAtKill { #expect(keys.filter { $0 == held }.count == 2, "\(held)") }
            #expect(!keys.contains { $0.hasSuffix(":2") }, "a re-execution after a crash is the same attempt")

            // Every completed run's webhook arrived; each run has exactly one event (a repeat is a
            // redelivery of the same webhook-id).
            try await waitFor("a workflow.completed webhook for every run") {
                Set(hooks.all.filter { $0.type == "workflow.completed" }.compactMap(\.runId)) == Set(ids)
            }
            let byRun = Dictionary(grouping: hooks.all, by: { $0.runId ?? "-" })
            for id in ids { #expect(Set(byRun[id]?.map(\.webhookId) ?? []).count == 1, "\(id)") }

            second.signal(SIGTERM)
            #expect(try await second.waitForExit() == 0)
        }
    }

    @Test func aRestartDuringABackoffResumesTheWaitNotTheAttemptCount() async throws {
        let stub = try await StubProvider.start()
        defer { Task { await stub.stop() } }
        let (directory, config) = try instanceDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = try await createKey(config: config, in: directory)

        let first = try await DaemonProcess(["serve", "--config", config], in: directory)
        let firstPort = try await first.waitForPort()
        var port = firstPort
        let definition: JSONValue = [
            "name": "flaky", "isDraft": false,
            "steps": [
                ["id": "call", "action": "http.request", "config": ["url": .string("\(stub.baseURL)/flaky")],
                 "retry": ["maxAttempts": 3, "backoff": "fixed", "initialDelaySeconds": 2, "jitter": false]]
            ],
        ]
        #expect(try await request(port: port, .put, "/v1/workflow-definitions/flaky", key: key, json: definition).0 == .created)
        let id = try #require(try await Self.startRuns(port: port, key: key, definition: "flaky", count: 1).first)
        let dueAt = try await waitForValue("the first attempt to fail") {
            let (_, execution) = try await request(port: firstPort, .get, "/v1/workflows/\(id)/execution", key: key)
            return execution["tasks"]?.arrayValue?.count == 1 ? execution["executionQueue"]?.arrayValue?.first?["dueAt"]?.stringValue : nil
        }
        first.signal(SIGKILL)
        #expect(try await first.waitForExit() == SIGKILL)

        let second = try await DaemonProcess(["serve", "--config", config], in: directory)
        port = try await second.waitForPort()
        _ = try await Self.waitForStatus(port: port, key: key, run: id, "COMPLETED")
        let (_, execution) = try await request(port: port, .get, "/v1/workflows/\(id)/execution", key: key)
        let tasks = try #require(execution["tasks"]?.arrayValue)
        #expect(tasks.map { $0["attempt"] } == [1, 2])
        #expect(tasks.map { $0["status"] } == ["KO", "OK"])
        let retriedAt = try #require(tasks[1]["startedAt"]?.stringValue.flatMap(Timestamp.parse))
        #expect(retriedAt >= (try #require(Timestamp.parse(dueAt))), "the retry waited for its due time")
        #expect(stub.keys == ["\(id):call:1", "\(id):call:2"])

        second.signal(SIGTERM)
        #expect(try await second.waitForExit() == 0)
    }

    @Test func httpRequestStepsAreGuardedAgainstSSRFByDefault() async throws {
        let stub = try await StubProvider.start()
        defer { Task { await stub.stop() } }
        let (directory, config) = try instanceDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // The same instance without the loopback allowance.
        let guarded = directory.appendingPathComponent("guarded.yaml")
        try String(contentsOfFile: config, encoding: .utf8).replacingOccurrences(of: "httpAllowedNetworks: [127.0.0.0/8]", with: "httpAllowedNetworks: []")
            .write(to: guarded, atomically: true, encoding: .utf8)
        let key = try await createKey(config: guarded.path, in: directory)
        let daemon = try await DaemonProcess(["serve", "--config", guarded.path], in: directory)
        let port = try await daemon.waitForPort()
        #expect(try await request(port: port, .put, "/v1/workflow-definitions/kyc", key: key, json: Self.kycDefinition(stub.baseURL)).0 == .created)
        let id = try #require(try await Self.startRuns(port: port, key: key, definition: "kyc", count: 1).first)
        let run = try await Self.waitForStatus(port: port, key: key, run: id, "FAILED")
        #expect(run["error"]?["code"] == "destination_refused")
        #expect(stub.keys.isEmpty, "nothing reached the loopback provider")
        daemon.signal(SIGTERM)
        #expect(try await daemon.waitForExit() == 0)
    }

    @Test func longPollsAnswerOnChangeDoNotStarveTheServerAndEndAtShutdown() async throws {
        let stub = try await StubProvider.start(passThrough: 0)
        defer { Task { await stub.stop() } }
        let (directory, config) = try instanceDirectory(engine: "  shutdownGraceSeconds: 1")
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = try await createKey(config: config, in: directory)
        let daemon = try await DaemonProcess(["serve", "--config", config], in: directory)
        let port = try await daemon.waitForPort()
        #expect(try await request(port: port, .put, "/v1/workflow-definitions/kyc", key: key, json: Self.kycDefinition(stub.baseURL)).0 == .created)
        let ids = try await Self.startRuns(port: port, key: key, definition: "kyc", count: 2)
        _ = try await waitForValue("both steps held") { stub.heldCount == 2 ? true : nil }

        // 100 long polls on the first run, all waiting while the server keeps answering.
        try await withThrowingTaskGroup(of: JSONValue.self) { polls in
            for _ in 0..<100 {
                polls.addTask {
                    try await request(port: port, .get, "/v1/workflows/\(ids[0])?waitSeconds=60&unlessStatus=RUNNING", key: key).1
                }
            }
            #expect(try await request(port: port, .get, "/healthz").0 == .ok)
            #expect(try await request(port: port, .post, "/v1/cases", key: key, json: [:]).0 == .created)
            stub.open()
            var answered = 0
            for try await body in polls {
                #expect(body["status"] == "COMPLETED")
                answered += 1
            }
            #expect(answered == 100)
        }

        // A long poll in progress at SIGTERM is answered, and the daemon exits 0.
        let (_, more) = try await request(port: port, .post, "/v1/cases", key: key, json: [:])
        let caseId = try #require(more["id"]?.stringValue)
        let stuck = try await StubProvider.start(passThrough: 0)
        defer { Task { await stuck.stop() } }
        #expect(try await request(port: port, .put, "/v1/workflow-definitions/stuck", key: key, json: Self.kycDefinition(stuck.baseURL)).0 == .created)
        let (_, started) = try await request(
            port: port, .post, "/v1/workflows/run", key: key, json: ["caseId": .string(caseId), "workflowDefinitionId": "stuck"])
        let stuckId = try #require(started["id"]?.stringValue)
        _ = try await waitForValue("the step to be held") { stuck.heldCount == 1 ? true : nil }
        async let poll = request(port: port, .get, "/v1/workflows/\(stuckId)?waitSeconds=60&unlessStatus=RUNNING", key: key)
        try await Task.sleep(for: .milliseconds(200))
        daemon.signal(SIGTERM)
        let (pollStatus, pollBody) = try await poll
        #expect(pollStatus == .ok)
        #expect(pollBody["status"] == "RUNNING")
        #expect(try await daemon.waitForExit() == 0)
    }
}

