import CaseworkerCore
import Foundation
import HTTPTypes
import Testing

@Suite struct RunRoutesTests {
    static let definition: JSONValue = [
        "name": "decide", "isDraft": false,
        "variables": ["threshold": ["type": "integer", "default": 50]],
        "inputSchema": ["type": "object", "properties": ["amount": ["type": "integer", "minimum": 0]], "required": ["amount"]],
        "enforceSchema": true,
        "steps": [
            ["id": "decide", "action": "switch", "config": ["value": "${input.amount >= params.threshold}"],
             "next": [["code": "true", "stepId": "big"]]],
            ["id": "small", "action": "complete", "config": ["result": ["size": "small", "who": "${case.firstName}"]]],
            ["id": "big", "action": "complete", "config": ["result": ["size": "big"]]],
        ],
    ]

    /// A case, the published definition `decide`, and a started run's id.
    static func setUp(_ client: Client, key: String, amount: Int = 10) async throws -> (caseId: String, runId: String) {
        let caseId = try await client.createCase(key: key, ["firstName": "Ada"])
        #expect(try await client.send(.put, "/v1/workflow-definitions/decide", key: key, json: definition).status == .created)
        let started = try await client.send(
            .post, "/v1/workflows/run", key: key,
            json: ["caseId": .string(caseId), "workflowDefinitionId": "decide", "input": ["amount": .int(amount)], "correlationId": "order-7"],
            headers: [HTTPField.Name("X-Channel")!: "mobile"])
        #expect(started.status == .created, "\(started.text)")
        return (caseId, try #require(started.json["id"]?.stringValue))
    }

    @Test func startAnswersAtOnceAndTheRunCompletes() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let (caseId, runId) = try await Self.setUp(client, key: app.keyA)
            let status = try await client.send(.get, "/v1/workflows/\(runId)?waitSeconds=30&unlessStatus=PENDING", key: app.keyA)
            #expect(status.status == .ok)
            var run = status.json
            if run["status"] != "COMPLETED" {
                run = try await client.send(.get, "/v1/workflows/\(runId)?waitSeconds=30&unlessStatus=RUNNING", key: app.keyA).json
            }
            #expect(run["status"] == "COMPLETED")
            #expect(run["caseId"] == .string(caseId))
            #expect(run["version"] == 1)
            #expect(run["correlationId"] == "order-7")
            #expect(run["channel"] == "mobile")
            #expect(run["currentStepId"] == .null)
            #expect(run["finishedAt"]?.stringValue != nil)

            let result = try await client.send(.get, "/v1/workflows/\(runId)/result", key: app.keyA).json
            #expect(result == ["id": .string(runId), "status": "COMPLETED", "result": ["size": "small", "who": "Ada"], "error": .null])

            let execution = try await client.send(.get, "/v1/workflows/\(runId)/execution", key: app.keyA).json
            #expect(execution["tasks"]?.arrayValue?.map { $0["stepId"] } == ["decide", "small"])
            #expect(execution["tasks"]?.arrayValue?.first?["code"] == "false")
            #expect(execution["executionQueue"] == [])
            #expect(execution["tasksHierarchy"] == [])
        }
    }

    @Test func startChecksEverythingBeforeStoringARun() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let (caseId, _) = try await Self.setUp(client, key: app.keyA)
            func start(_ body: JSONValue) async throws -> Client.Reply {
                try await client.send(.post, "/v1/workflows/run", key: app.keyA, json: body)
            }
            let noCase = expectProblem(try await start(["caseId": "nope", "workflowDefinitionId": "decide"]), .notFound)
            #expect(noCase["detail"]?.stringValue?.contains("case") == true)
            let noDefinition = expectProblem(try await start(["caseId": .string(caseId), "workflowDefinitionId": "ghost"]), .notFound)
            #expect(noDefinition["detail"]?.stringValue?.contains("definition") == true)
            expectProblem(try await start(["caseId": .string(caseId), "workflowDefinitionId": "decide", "version": 9]), .notFound)
            expectProblem(try await start(["caseId": .string(caseId), "workflowDefinitionId": "decide", "parametersId": "nope"]), .notFound)

            let schema = try await start(["caseId": .string(caseId), "workflowDefinitionId": "decide", "input": ["amount": -1]])
            expectProblem(schema, .unprocessableContent)
            #expect(schema.errorPointers == ["/input/amount"])
            let missing = try await start(["caseId": .string(caseId), "workflowDefinitionId": "decide"])
            #expect(missing.errorPointers == ["/input/amount"])
            let shape = try await start(["caseId": 5, "version": "two", "extra": 1])
            #expect(Set(shape.errorPointers) == ["/caseId", "/workflowDefinitionId", "/version", "/extra"])

            _ = try await client.send(.put, "/v1/workflow-definitions/draft-only", key: app.keyA, json: DefinitionRoutesTests.body())
            expectProblem(try await start(["caseId": .string(caseId), "workflowDefinitionId": "draft-only"]), .conflict)
            _ = try await client.send(.post, "/v1/workflow-definitions/decide/disable", key: app.keyA)
            expectProblem(
                try await start(["caseId": .string(caseId), "workflowDefinitionId": "decide", "input": ["amount": 1]]), .conflict)

            // Parameters of another definition are refused.
            _ = try await client.send(.put, "/v1/workflow-definitions/other", key: app.keyA, json: DefinitionRoutesTests.body(isDraft: false))
            let other = try await client.send(.post, "/v1/parameters", key: app.keyA, json: ["workflowDefinitionId": "other"])
            let parametersId = try #require(other.json["id"]?.stringValue)
            _ = try await client.send(.post, "/v1/workflow-definitions/decide/enable", key: app.keyA)
            let mismatch = try await start([
                "caseId": .string(caseId), "workflowDefinitionId": "decide", "parametersId": .string(parametersId), "input": ["amount": 1],
            ])
            #expect(mismatch.errorPointers == ["/parametersId"])

            let all = try await client.send(.get, "/v1/workflows", key: app.keyA).json
            #expect(all["items"]?.arrayValue?.count == 1, "no failed start stored a run")
        }
    }

    @Test func parametersDecideTheBranch() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let (caseId, _) = try await Self.setUp(client, key: app.keyA)
            let parameters = try await client.send(
                .post, "/v1/parameters", key: app.keyA, json: ["workflowDefinitionId": "decide", "values": ["threshold": 5]])
            let started = try await client.send(
                .post, "/v1/workflows/run", key: app.keyA,
                json: [
                    "caseId": .string(caseId), "workflowDefinitionId": "decide", "parametersId": parameters.json["id"]!,
                    "input": ["amount": 10],
                ])
            let runId = try #require(started.json["id"]?.stringValue)
            var status = try await client.send(.get, "/v1/workflows/\(runId)", key: app.keyA).json["status"]
            while status != "COMPLETED" {
                status = try await client.send(.get, "/v1/workflows/\(runId)?waitSeconds=10", key: app.keyA).json["status"]
            }
            #expect(try await client.send(.get, "/v1/workflows/\(runId)/result", key: app.keyA).json["result"] == ["size": "big"])
        }
    }

    @Test func listFiltersAndPages() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let (caseId, first) = try await Self.setUp(client, key: app.keyA)
            var ids = [first]
            for amount in [1, 2] {
                let reply = try await client.send(
                    .post, "/v1/workflows/run", key: app.keyA,
                    json: ["caseId": .string(caseId), "workflowDefinitionId": "decide", "input": ["amount": .int(amount)]])
                ids.append(try #require(reply.json["id"]?.stringValue))
            }
            let byCase = try await client.send(.get, "/v1/workflows?caseId=\(caseId)&workflowDefinitionId=decide", key: app.keyA).json
            #expect(byCase["items"]?.arrayValue?.map { $0["id"] } == ids.reversed().map(JSONValue.string))
            let page = try await client.send(.get, "/v1/workflows?limit=2", key: app.keyA).json
            #expect(page["items"]?.arrayValue?.count == 2)
            #expect(page["nextCursor"]?.stringValue != nil)
            #expect(try await client.send(.get, "/v1/workflows?caseId=other", key: app.keyA).json["items"] == [])
            expectProblem(try await client.send(.get, "/v1/workflows?status=DONE", key: app.keyA), .badRequest)
            expectProblem(try await client.send(.get, "/v1/workflows?createdAfter=yesterday", key: app.keyA), .badRequest)
            let future = try await client.send(.get, "/v1/workflows?createdAfter=2999-01-01T00:00:00Z", key: app.keyA).json
            #expect(future["items"] == [])
            // Filters combine with each other and with the cursor.
            let past = try await client.send(.get, "/v1/workflows?createdAfter=2000-01-01T00:00:00Z&caseId=\(caseId)", key: app.keyA).json
            #expect(past["items"]?.arrayValue?.count == 3)
            #expect(try await client.send(.get, "/v1/workflows?status=FAILED&caseId=\(caseId)", key: app.keyA).json["items"] == [])
            let firstPage = try await client.send(.get, "/v1/workflows?caseId=\(caseId)&limit=2", key: app.keyA).json
            let cursor = try #require(firstPage["nextCursor"]?.stringValue)
            let secondPage = try await client.send(.get, "/v1/workflows?caseId=\(caseId)&limit=2&cursor=\(cursor)", key: app.keyA).json
            #expect(secondPage["items"]?.arrayValue?.map { $0["id"] } == [.string(ids[0])])
        }
    }

    @Test func badPollParametersAre400AndUnknownRunsAre404() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let (_, runId) = try await Self.setUp(client, key: app.keyA)
            expectProblem(try await client.send(.get, "/v1/workflows/\(runId)?waitSeconds=61", key: app.keyA), .badRequest)
            expectProblem(try await client.send(.get, "/v1/workflows/\(runId)?waitSeconds=-1", key: app.keyA), .badRequest)
            expectProblem(try await client.send(.get, "/v1/workflows/\(runId)?unlessStatus=DONE", key: app.keyA), .badRequest)
            for path in ["", "/result", "/execution"] {
                expectProblem(try await client.send(.get, "/v1/workflows/01NOSUCHRUN\(path)", key: app.keyA), .notFound)
                expectProblem(try await client.send(.get, "/v1/workflows/\(runId)\(path)", key: app.keyB), .notFound)
            }
            expectProblem(try await client.send(.get, "/v1/workflows/run", key: app.keyA), .methodNotAllowed)
            #expect(try await client.send(.get, "/v1/workflows", key: app.keyB).json["items"] == [])
        }
    }

    @Test func aCaseWithAnActiveRunCannotBeErasedAndErasureRedactsFinishedRuns() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let (caseId, runId) = try await Self.setUp(client, key: app.keyA)
            var status = try await client.send(.get, "/v1/workflows/\(runId)", key: app.keyA).json["status"]
            if status != "COMPLETED" {
                // Depending on timing the run may still be active: erasure must then refuse.
                let refused = try await client.send(.delete, "/v1/cases/\(caseId)", key: app.keyA)
                #expect(refused.status == .conflict || refused.status == .noContent)
            }
            while status != "COMPLETED" {
                status = try await client.send(.get, "/v1/workflows/\(runId)?waitSeconds=10", key: app.keyA).json["status"]
            }
            #expect(try await client.send(.delete, "/v1/cases/\(caseId)", key: app.keyA).status == .noContent)
            let result = try await client.send(.get, "/v1/workflows/\(runId)/result", key: app.keyA).json
            #expect(result["result"] == .null)
            let execution = try await client.send(.get, "/v1/workflows/\(runId)/execution", key: app.keyA).json
            #expect(execution["tasks"]?.arrayValue?.allSatisfy { $0["output"] == .null && $0["parameters"] == .null } == true)
            let erasedStart = try await client.send(
                .post, "/v1/workflows/run", key: app.keyA,
                json: ["caseId": .string(caseId), "workflowDefinitionId": "decide", "input": ["amount": 1]])
            expectProblem(erasedStart, .conflict)
        }
    }

    @Test func aResultBeforeTheEndIs409WithRetryAfterAndTheQueueShowsTheRetry() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let caseId = try await client.createCase(key: app.keyA, [:])
            let definition: JSONValue = [
                "name": "waits", "isDraft": false,
                "steps": [
                    ["id": "call", "action": "http.request", "config": ["url": "http://127.0.0.1:1/unreachable"],
                     "retry": ["maxAttempts": 2, "backoff": "fixed", "initialDelaySeconds": 3600, "maxDelaySeconds": 3600, "jitter": false]]
                ],
            ]
            _ = try await client.send(.put, "/v1/workflow-definitions/waits", key: app.keyA, json: definition)
            let started = try await client.send(
                .post, "/v1/workflows/run", key: app.keyA, json: ["caseId": .string(caseId), "workflowDefinitionId": "waits"])
            let runId = try #require(started.json["id"]?.stringValue)
            var execution = JSONValue.null
            let deadline = ContinuousClock.now + .seconds(60)
            while execution["tasks"]?.arrayValue?.count != 1, ContinuousClock.now < deadline {
                _ = try await client.send(.get, "/v1/workflows/\(runId)?waitSeconds=1", key: app.keyA)
                execution = try await client.send(.get, "/v1/workflows/\(runId)/execution", key: app.keyA).json
            }
            #expect(execution["tasks"]?.arrayValue?.first?["code"] == "connection_error")
            let queued = try #require(execution["executionQueue"]?.arrayValue?.first)
            #expect(queued["stepId"] == "call")
            let dueAt = try #require(queued["dueAt"]?.stringValue.flatMap(Timestamp.parse))
            #expect(dueAt > Date().addingTimeInterval(3000))

            let result = try await client.send(.get, "/v1/workflows/\(runId)/result", key: app.keyA)
            expectProblem(result, .conflict)
            #expect(result.headers[HTTPField.Name("Retry-After")!] == "2")
            #expect(try await client.send(.get, "/v1/workflows/\(runId)", key: app.keyA).json["status"] == "RUNNING")
        }
    }
}
