import CaseworkerCore
import CaseworkerTestSupport
import Foundation
import HTTPTypes
import Testing

/// `parallel` (issue #19) proven by killing the real daemon with branches in flight: a branch
/// that completed, one holding a request at the provider, one waiting for a signal.
@Suite struct ParallelRecoveryTests {
    static func definition(_ base: String) -> JSONValue {
        [
            "name": "fan", "isDraft": false,
            "steps": [
                ["id": "checks", "action": "parallel", "config": ["branches": [
                    ["id": "quick", "steps": [["id": "q1", "action": "transform", "config": ["set": ["q": 1]]],
                                              ["id": "q2", "action": "complete", "config": ["result": "quick"]]]],
                    ["id": "held", "steps": [["id": "h1", "action": "transform", "config": ["set": ["h": 1]]],
                                             ["id": "h2", "action": "http.request",
                                              "config": ["method": "POST", "url": .string("\(base)/verify"), "body": [:]]]]],
                    ["id": "waits", "steps": [["id": "w1", "action": "transform", "config": ["set": ["w": 1]]],
                                              ["id": "w2", "action": "await", "config": ["signal": "go"]],
                                              ["id": "w3", "action": "complete", "config": ["result": "${steps.w2.output}"]]]],
                ]]],
                ["id": "done", "action": "complete",
                 "config": ["result": ["quick": "${steps.checks.output.quick}", "score": "${steps.checks.output.held.body.score}",
                                       "signal": "${steps.checks.output.waits}"]]],
            ],
        ]
    }

    @Test func everyBranchResumesAfterSIGKILLAndEachCommittedStepIsRecordedOnce() async throws {
        let stub = try await StubProvider.start(passThrough: 0)
        defer { Task { await stub.stop() } }
        let (directory, config) = try instanceDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = try await createKey(config: config, in: directory)

        let first = try await DaemonProcess(["serve", "--config", config], in: directory)
        var port = try await first.waitForPort()
        #expect(try await request(port: port, .put, "/v1/workflow-definitions/fan", key: key, json: Self.definition(stub.baseURL)).0 == .created)
        let run = try #require(try await RunRecoveryTests.startRuns(port: port, key: key, definition: "fan", count: 1).first)
        _ = try await waitForValue("the held branch's request at the provider") { stub.heldCount >= 1 ? true : nil }
        let firstPort = port
        let branchesAtKill = try await waitForValue("quick completed and waits waiting") { () -> [JSONValue]? in
            let (_, execution) = try await request(port: firstPort, .get, "/v1/workflows/\(run)/execution", key: key)
            let branches = execution["branches"]?.arrayValue ?? []
            let status = Dictionary(uniqueKeysWithValues: branches.map { ($0["branchId"]?.stringValue ?? "", $0["status"]?.stringValue ?? "") })
            return status["quick"] == "COMPLETED" && status["waits"] == "WAITING" ? branches : nil
        }
        first.signal(SIGKILL)
        #expect(try await first.waitForExit() == SIGKILL)
        stub.open()

        let second = try await DaemonProcess(["serve", "--config", config], in: directory)
        port = try await second.waitForPort()
        // The signal sent to the run reaches the branch that waits for it.
        let (signalStatus, receipt) = try await request(port: port, .post, "/v1/workflows/\(run)/signals/go", key: key, json: ["payload": ["ok": true]])
        #expect(signalStatus == .accepted)
        #expect(receipt["consumed"] == true)
        _ = try await RunRecoveryTests.waitForStatus(port: port, key: key, run: run, "COMPLETED")
        let (_, result) = try await request(port: port, .get, "/v1/workflows/\(run)/result", key: key)
        #expect(result["result"] == ["quick": "quick", "score": 72, "signal": ["ok": true]])

        let (_, execution) = try await request(port: port, .get, "/v1/workflows/\(run)/execution", key: key)
        let tasks = execution["tasks"]?.arrayValue ?? []
        let steps = tasks.compactMap { $0["stepId"]?.stringValue }
        for id in ["q1", "q2", "h1", "h2", "w1", "w2", "w3", "checks", "done"] {
            #expect(steps.filter { $0 == id }.count == 1, "step \(id) recorded once, got \(steps)")
        }
        let branches = execution["branches"]?.arrayValue ?? []
        #expect(branches.map { $0["runId"] } == branchesAtKill.map { $0["runId"] }, "the same branch runs, none started again")
        #expect(branches.allSatisfy { $0["status"] == "COMPLETED" })
        let hierarchy = execution["tasksHierarchy"]?.arrayValue ?? []
        let checksTask = tasks.first { $0["stepId"] == "checks" }?["id"]
        #expect(hierarchy.filter { $0["kind"] == "parallel" && $0["parent"] == checksTask }.count == 3)
        #expect(hierarchy.filter { $0["kind"] == "branchTask" }.count == 7)
        #expect(tasks.first { $0["stepId"] == "w2" }?["branch"] == ["stepId": "checks", "branchId": "waits"])

        second.signal(SIGTERM)
        #expect(try await second.waitForExit() == 0)
    }

    @Test func theConfiguredBranchBoundIsCheckedAtSave() async throws {
        let (directory, config) = try instanceDirectory(engine: "  maxBranches: 2")
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = try await createKey(config: config, in: directory)
        let daemon = try await DaemonProcess(["serve", "--config", config], in: directory)
        let port = try await daemon.waitForPort()
        let branches: [JSONValue] = (0..<3).map { ["id": .string("b\($0)"), "steps": [["id": .string("s\($0)"), "action": "complete"]]] }
        let body: JSONValue = ["name": "wide", "isDraft": false, "steps": [["id": "fan", "action": "parallel", "config": ["branches": .array(branches)]]]]
        let (status, problem) = try await request(port: port, .put, "/v1/workflow-definitions/wide", key: key, json: body)
        #expect(status == .unprocessableContent)
        #expect(problem["errors"]?.arrayValue?.first?["property"] == "/steps/0/config/branches")
        #expect(problem["errors"]?.arrayValue?.first?["message"] == "has 3 branches; at most 2 are allowed (engine.maxBranches)")
        daemon.signal(SIGTERM)
        #expect(try await daemon.waitForExit() == 0)
    }
}
