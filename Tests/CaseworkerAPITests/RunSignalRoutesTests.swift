import CaseworkerCore
import Foundation
import HTTPTypes
import Testing

/// `POST /v1/workflows/{id}/signals/{name}` and `POST /v1/workflows/{id}/cancel`.
@Suite struct RunSignalRoutesTests {
    static let review: JSONValue = [
        "name": "review", "isDraft": false,
        "steps": [
            ["id": "review", "action": "await", "config": ["signal": "review"]],
            ["id": "second", "action": "await", "config": ["signal": "other"]],
            ["id": "done", "action": "complete", "config": ["result": "${steps.review.output}"]],
        ],
    ]

    /// A case, the published `review` definition and a run of it that is `WAITING` for `review`.
    static func waitingRun(_ client: Client, key: String) async throws -> String {
        let caseId = try await client.createCase(key: key, [:])
        #expect(try await client.send(.put, "/v1/workflow-definitions/review", key: key, json: review).status == .created)
        let started = try await client.send(
            .post, "/v1/workflows/run", key: key, json: ["caseId": .string(caseId), "workflowDefinitionId": "review"])
        let runId = try #require(started.json["id"]?.stringValue)
        _ = try await status(client, key: key, runId: runId, "WAITING")
        return runId
    }

    /// Long-polls until the run has `wanted` status (at most 60 s).
    static func status(_ client: Client, key: String, runId: String, _ wanted: String) async throws -> JSONValue {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let run = try await client.send(.get, "/v1/workflows/\(runId)?waitSeconds=5", key: key).json
            if run["status"] == .string(wanted) { return run }
        }
        Issue.record("run \(runId) did not reach \(wanted)")
        return .null
    }

    @Test func aSignalResumesTheWaitingRunAndOthersAreKept() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let runId = try await Self.waitingRun(client, key: app.keyA)
            let waiting = try await client.send(.get, "/v1/workflows/\(runId)", key: app.keyA).json
            #expect(waiting["waitingFor"] == ["signal": "review", "until": .null, "childRunId": .null, "rateLimit": .null, "taskQueue": .null])
            #expect(waiting["currentStepId"] == "review")
            let queue = try await client.send(.get, "/v1/workflows/\(runId)/execution", key: app.keyA).json["executionQueue"]
            #expect(queue == [["stepId": "review", "dueAt": .null]])

            let path = "/v1/workflows/\(runId)/signals"
            expectProblem(try await client.send(.post, "\(path)/review", key: app.keyB, json: ["payload": 1]), .notFound)
            expectProblem(try await client.send(.post, "\(path)/review", key: app.readOnlyKeyA, json: ["payload": 1]), .forbidden)
            expectProblem(try await client.send(.post, "/v1/workflows/nope/signals/review", key: app.keyA, json: [:]), .notFound)
            expectProblem(try await client.send(.post, "\(path)/bad*name", key: app.keyA, json: [:]), .badRequest)
            expectProblem(try await client.send(.post, "\(path)/review", key: app.keyA, json: [1]), .unprocessableContent)
            let extra = try await client.send(.post, "\(path)/review", key: app.keyA, json: ["payload": 1, "by": "x"])
            expectProblem(extra, .unprocessableContent)
            #expect(extra.errorPointers == ["/by"])
            expectProblem(try await client.send(.post, "\(path)/review", key: app.keyA, rawBody: "x", contentType: "text/plain"), .unsupportedMediaType)
            expectProblem(try await client.send(.get, "\(path)/review", key: app.keyA), .methodNotAllowed)

            // A name no await of the definition waits for could never be consumed: refused.
            let never = try await client.send(.post, "\(path)/never", key: app.keyA, json: [:])
            expectProblem(never, .conflict)
            #expect(never.json["detail"]?.stringValue?.contains("never waits for signal 'never'") == true)

            // A name a later await waits for is kept for it, even without a body.
            let kept = try await client.send(.post, "\(path)/other", key: app.keyA)
            #expect(kept.status == .accepted, "\(kept.text)")
            #expect(kept.json == ["runId": .string(runId), "signal": "other", "consumed": false])
            #expect(try await client.send(.get, "/v1/workflows/\(runId)", key: app.keyA).json["status"] == "WAITING")

            let consumed = try await client.send(.post, "\(path)/review", key: app.keyA, json: ["payload": ["approved": true]])
            #expect(consumed.status == .accepted)
            #expect(consumed.json == ["runId": .string(runId), "signal": "review", "consumed": true])
            let done = try await Self.status(client, key: app.keyA, runId: runId, "COMPLETED")
            #expect(done["waitingFor"] == .null)
            let result = try await client.send(.get, "/v1/workflows/\(runId)/result", key: app.keyA).json
            #expect(result["result"] == ["approved": true])

            expectProblem(try await client.send(.post, "\(path)/review", key: app.keyA, json: [:]), .conflict)
            expectProblem(try await client.send(.post, "/v1/workflows/\(runId)/cancel", key: app.keyA), .conflict)
        }
    }

    @Test func cancelEndsAnActiveRunOnceAndOnlyForItsTenant() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let runId = try await Self.waitingRun(client, key: app.keyA)
            let cancel = "/v1/workflows/\(runId)/cancel"
            expectProblem(try await client.send(.post, cancel, key: app.keyB), .notFound)
            expectProblem(try await client.send(.post, cancel, key: app.readOnlyKeyA), .forbidden)
            expectProblem(try await client.send(.post, "/v1/workflows/nope/cancel", key: app.keyA), .notFound)
            expectProblem(try await client.send(.get, cancel, key: app.keyA), .methodNotAllowed)

            let reply = try await client.send(.post, cancel, key: app.keyA)
            #expect(reply.status == .ok, "\(reply.text)")
            #expect(reply.json["status"] == "CANCELLED")
            #expect(reply.json["error"]?["code"] == "cancelled")
            #expect(reply.json["error"]?["stepId"] == "review")
            #expect(reply.json["finishedAt"]?.stringValue != nil)
            #expect(reply.json["currentStepId"] == .null)

            let result = try await client.send(.get, "/v1/workflows/\(runId)/result", key: app.keyA)
            #expect(result.status == .ok)
            #expect(result.json["status"] == "CANCELLED")
            expectProblem(try await client.send(.post, cancel, key: app.keyA), .conflict)
            expectProblem(try await client.send(.post, "/v1/workflows/\(runId)/signals/review", key: app.keyA, json: [:]), .conflict)
            #expect(try await client.send(.get, "/v1/workflows?status=CANCELLED", key: app.keyA).json["items"]?.arrayValue?.count == 1)
        }
    }
}
