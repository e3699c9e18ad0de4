import CaseworkerCore
import Foundation
import HTTPTypes
import Testing

/// `POST /v1/workflows/{id}/retry` and child runs in `GET /v1/workflows/{id}/execution`.
@Suite struct RunCompositionRoutesTests {
    @Test func retryRestartsATimedOutRunAtItsFailedStepAndKeepsItsHistory() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let key = app.keyA
            let caseId = try await client.createCase(key: key, [:])
            let definition: JSONValue = [
                "name": "review", "isDraft": false,
                "steps": [
                    ["id": "note", "action": "transform", "config": ["set": ["noted": true]]],
                    ["id": "review", "action": "await", "config": ["signal": "go", "timeoutSeconds": 1]],
                    ["id": "done", "action": "complete", "config": ["result": "${steps.review.output}"]],
                ],
            ]
            #expect(try await client.send(.put, "/v1/workflow-definitions/review", key: key, json: definition).status == .created)
            let started = try await client.send(
                .post, "/v1/workflows/run", key: key, json: ["caseId": .string(caseId), "workflowDefinitionId": "review"])
            let runId = try #require(started.json["id"]?.stringValue)
            let retry = "/v1/workflows/\(runId)/retry"
            expectProblem(try await client.send(.post, retry, key: key), .conflict)  // not failed (yet)
            let timedOut = try await RunSignalRoutesTests.status(client, key: key, runId: runId, "TIMED_OUT")
            #expect(timedOut["error"]?["stepId"] == "review")

            expectProblem(try await client.send(.post, retry, key: app.keyB), .notFound)
            expectProblem(try await client.send(.post, retry, key: app.readOnlyKeyA), .forbidden)
            expectProblem(try await client.send(.post, "/v1/workflows/nope/retry", key: key), .notFound)
            expectProblem(try await client.send(.get, retry, key: key), .methodNotAllowed)

            let retried = try await client.send(.post, retry, key: key)
            #expect(retried.status == .ok, "\(retried.text)")
            #expect(retried.json["status"] == "PENDING")
            #expect(retried.json["currentStepId"] == "review")
            #expect(retried.json["error"] == .null)
            #expect(retried.json["finishedAt"] == .null)
            _ = try await RunSignalRoutesTests.status(client, key: key, runId: runId, "WAITING")
            let signal = try await client.send(.post, "/v1/workflows/\(runId)/signals/go", key: key, json: ["payload": "ok"])
            #expect(signal.status == .accepted)
            let done = try await RunSignalRoutesTests.status(client, key: key, runId: runId, "COMPLETED")
            #expect(done["error"] == .null)
            let execution = try await client.send(.get, "/v1/workflows/\(runId)/execution", key: key).json
            let tasks = try #require(execution["tasks"]?.arrayValue)
            #expect(tasks.map { $0["stepId"] } == ["note", "review", "review", "done"], "the history is kept; note did not run again")
            #expect(tasks.map { $0["status"] } == ["OK", "TIMEOUT", "OK", "OK"])
            #expect(tasks.map { $0["attempt"] } == [1, 1, 1, 1])
            #expect(try await client.send(.get, "/v1/workflows/\(runId)/result", key: key).json["result"] == "ok")
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
}
