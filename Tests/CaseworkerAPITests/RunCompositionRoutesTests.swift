import CaseworkerCore
import Foundation
import HTTPTypes
import Testing

/// `POST /v1/workflows/{id}/retry` and child runs in `GET /v1/workflows/{id}/execution`.
@Suite struct RunCompositionRoutesTests {
    @Test func retryRestartsAFailedRunAtItsFailedStepAndKeepsItsHistory() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let key = app.keyA
            let caseId = try await client.createCase(key: key, [:])
            let definition: JSONValue = [
                "name": "flaky", "isDraft": false,
                "steps": [
                    ["id": "note", "action": "transform", "config": ["set": ["noted": true]]],
                    // Fails (division by zero) the first time; after the retry its kept result makes it pass.
                    ["id": "boom", "action": "switch", "config": ["value": "${steps.boom == null ? 1 / 0 : 'fine'}"]],
                    ["id": "hold", "action": "await", "config": ["signal": "go"]],
                    ["id": "done", "action": "complete", "config": ["result": "${steps.boom.code}"]],
                ],
            ]
            #expect(try await client.send(.put, "/v1/workflow-definitions/flaky", key: key, json: definition).status == .created)
            let started = try await client.send(
                .post, "/v1/workflows/run", key: key, json: ["caseId": .string(caseId), "workflowDefinitionId": "flaky"])
            let runId = try #require(started.json["id"]?.stringValue)
            let retry = "/v1/workflows/\(runId)/retry"
            let failed = try await RunSignalRoutesTests.status(client, key: key, runId: runId, "FAILED")
            #expect(failed["error"]?["stepId"] == "boom")
            #expect(failed["error"]?["code"] == "expression_error")

            expectProblem(try await client.send(.post, retry, key: app.keyB), .notFound)
            expectProblem(try await client.send(.post, retry, key: app.readOnlyKeyA), .forbidden)
            expectProblem(try await client.send(.post, "/v1/workflows/nope/retry", key: key), .notFound)
            expectProblem(try await client.send(.get, retry, key: key), .methodNotAllowed)

            let retried = try await client.send(.post, retry, key: key)
            #expect(retried.status == .ok, "\(retried.text)")
            #expect(retried.json["status"] == "PENDING")
            #expect(retried.json["currentStepId"] == "boom")
            #expect(retried.json["error"] == .null)
            #expect(retried.json["finishedAt"] == .null)
            _ = try await RunSignalRoutesTests.status(client, key: key, runId: runId, "WAITING")
            expectProblem(try await client.send(.post, retry, key: key), .conflict)  // active
            let signal = try await client.send(.post, "/v1/workflows/\(runId)/signals/go", key: key, json: [:])
            #expect(signal.status == .accepted)
            let done = try await RunSignalRoutesTests.status(client, key: key, runId: runId, "COMPLETED")
            #expect(done["error"] == .null)
            let execution = try await client.send(.get, "/v1/workflows/\(runId)/execution", key: key).json
            let tasks = try #require(execution["tasks"]?.arrayValue)
            #expect(tasks.map { $0["stepId"] } == ["note", "boom", "boom", "hold", "done"], "the history is kept; note did not run again")
            #expect(tasks.map { $0["status"] } == ["OK", "KO", "OK", "OK", "OK"])
            #expect(tasks.map { $0["attempt"] } == [1, 1, 1, 1, 1])
            #expect(try await client.send(.get, "/v1/workflows/\(runId)/result", key: key).json["result"] == "fine")
            expectProblem(try await client.send(.post, retry, key: key), .conflict)  // completed
        }
    }

    @Test func aChildRunIsLinkedInTheParentsExecution() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let key = app.keyA
            let caseId = try await client.createCase(key: key, [:])
            let child: JSONValue = [
                "name": "child", "isDraft": false,
                "steps": [
                    ["id": "hold", "action": "await", "config": ["signal": "go"]],
                    ["id": "done", "action": "complete", "config": ["result": ["approved": "${steps.hold.output}"]]],
                ],
            ]
            let parent: JSONValue = [
                "name": "parent", "isDraft": false,
                "steps": [["id": "sub", "action": "workflow.run", "config": ["workflowDefinitionId": "child"]]],
            ]
            #expect(try await client.send(.put, "/v1/workflow-definitions/child", key: key, json: child).status == .created)
            #expect(try await client.send(.put, "/v1/workflow-definitions/parent", key: key, json: parent).status == .created)
            let started = try await client.send(
                .post, "/v1/workflows/run", key: key, json: ["caseId": .string(caseId), "workflowDefinitionId": "parent"])
            let runId = try #require(started.json["id"]?.stringValue)
            let waiting = try await RunSignalRoutesTests.status(client, key: key, runId: runId, "WAITING")
            let childId = try #require(waiting["waitingFor"]?["childRunId"]?.stringValue)
            #expect(waiting["waitingFor"]?["signal"] == .null)
            let during = try await client.send(.get, "/v1/workflows/\(runId)/execution", key: key).json
            #expect(during["tasksHierarchy"] == [["parent": .string(runId), "child": .string(childId), "kind": "run"]])
            let childRun = try await RunSignalRoutesTests.status(client, key: key, runId: childId, "WAITING")
            #expect(childRun["parentRunId"] == .string(runId))
            #expect(childRun["caseId"] == .string(caseId))
            expectProblem(try await client.send(.post, "/v1/workflows/\(runId)/signals/go", key: key, json: [:]), .conflict)

            #expect(try await client.send(.post, "/v1/workflows/\(childId)/signals/go", key: key, json: ["payload": true]).status == .accepted)
            let done = try await RunSignalRoutesTests.status(client, key: key, runId: runId, "COMPLETED")
            #expect(done["error"] == .null)
            let result = try await client.send(.get, "/v1/workflows/\(runId)/result", key: key).json
            #expect(result["result"] == ["approved": true])
            let after = try await client.send(.get, "/v1/workflows/\(runId)/execution", key: key).json
            let taskId = try #require(after["tasks"]?.arrayValue?.first?["id"]?.stringValue)
            #expect(after["tasksHierarchy"] == [["parent": .string(taskId), "child": .string(childId), "kind": "run"]])
        }
    }

    @Test func aRateLimitKeyThatFailsToEvaluateRefusesTheStart() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let key = app.keyA
            let caseId = try await client.createCase(key: key, [:])
            let definition: JSONValue = [
                "name": "limited", "isDraft": false, "rateLimit": ["key": "${input.n / 0}", "concurrentExecLimit": 1],
                "steps": [["id": "done", "action": "complete"]],
            ]
            #expect(try await client.send(.put, "/v1/workflow-definitions/limited", key: key, json: definition).status == .created)
            let refused = try await client.send(
                .post, "/v1/workflows/run", key: key,
                json: ["caseId": .string(caseId), "workflowDefinitionId": "limited", "input": ["n": 1]])
            expectProblem(refused, .unprocessableContent)
            #expect(refused.errorPointers == [""])
            #expect(try await client.send(.get, "/v1/workflows", key: key).json["items"] == [])
        }
    }
}
