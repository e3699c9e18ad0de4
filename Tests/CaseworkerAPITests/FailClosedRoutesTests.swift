import CaseworkerCore
import CaseworkerStore
import Foundation
import HTTPTypes
import Testing

@testable import CaseworkerSQLite

/// Issue 25 through the real router: typos are 422 at their exact pointer, a run queued behind
/// a rate limit says what it waits for, and endpoints subscribe to definitions.
@Suite struct FailClosedRoutesTests {
    @Test func aTypoInAPathIsA422AtTheExactMemberWithASuggestion() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let body: JSONValue = [
                "name": "sanctions", "isDraft": false,
                "steps": [
                    ["id": "screen", "action": "http.request", "config": ["url": "https://screening.example/check"]],
                    ["id": "summarize", "action": "transform", "config": ["set": ["sanctionsHit": "${steps.screen.output.body.hit}"]]],
                    ["id": "decide", "action": "transform", "config": ["set": ["decision": "${state.sanctionHit ? 'reject' : 'approve'}"]]],
                ],
            ]
            let reply = try await client.send(.put, "/v1/workflow-definitions/sanctions", key: app.keyA, json: body)
            let problem = expectProblem(reply, .unprocessableContent)
            #expect(
                problem["errors"]
                    == [
                        [
                            "property": "/steps/2/config/set/decision",
                            "message": "${state.sanctionHit ? 'reject' : 'approve'} at column 8: 'sanctionHit' is not written by initialState, a variable or any step; did you mean 'sanctionsHit'?",
                        ]
                    ])
            #expect(try await client.send(.get, "/v1/workflow-definitions/sanctions", key: app.keyA).status == .notFound)
        }
    }

    @Test func publishingADraftStoredBeforeTheChecksValidatesItAgain() async throws {
        let app = try await TestApp()
        try await app.test { client in
            // A draft an earlier release accepted, written past the API.
            let content: JSONValue = [
                "name": "old", "steps": [["id": "a", "action": "complete", "config": ["result": "${stpes.a}"]]],
            ]
            let parsed = try WorkflowDefinition(loading: content)
            _ = try await app.store.saveDraft(
                tenantId: "tenant-a", id: "old", content: parsed.document, hash: parsed.hash, actor: "test", channel: nil, overwrite: true)
            let reply = try await client.send(.post, "/v1/workflow-definitions/old/publish", key: app.keyA)
            let problem = expectProblem(reply, .unprocessableContent)
            let first = try #require(problem["errors"]?.arrayValue?.first)
            #expect(first["property"] == "/steps/0/config/result")
            #expect(first["message"]?.stringValue?.contains("did you mean 'steps'?") == true)
        }
    }

    @Test func aRunQueuedBehindARateLimitSaysWhatItWaitsFor() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let caseId = try await client.createCase(key: app.keyA, ["firstName": "Ada"])
            let definition: JSONValue = [
                "name": "limited", "isDraft": false, "rateLimit": ["key": "${case.companyNumber}", "concurrentExecLimit": 1],
                "steps": [["id": "hold", "action": "await", "config": ["signal": "go"]], ["id": "done", "action": "complete"]],
            ]
            #expect(try await client.send(.put, "/v1/workflow-definitions/limited", key: app.keyA, json: definition).status == .created)
            func start() async throws -> String {
                let reply = try await client.send(
                    .post, "/v1/workflows/run", key: app.keyA, json: ["caseId": .string(caseId), "workflowDefinitionId": "limited"])
                #expect(reply.status == .created, "\(reply.text)")
                return try #require(reply.json["id"]?.stringValue)
            }
            let first = try await start()
            let second = try await start()
            let third = try await start()
            // The first run takes the key's one slot (a person: `null` key, the shared empty key).
            var waiting = try await client.send(.get, "/v1/workflows/\(first)?waitSeconds=10&unlessStatus=PENDING", key: app.keyA).json
            if waiting["status"] == "RUNNING" {
                waiting = try await client.send(.get, "/v1/workflows/\(first)?waitSeconds=10&unlessStatus=RUNNING", key: app.keyA).json
            }
            #expect(waiting["status"] == "WAITING")
            #expect(waiting["waitingFor"] == ["signal": "go", "until": .null, "childRunId": .null, "rateLimit": .null, "taskQueue": .null])

            let queued = try await client.send(.get, "/v1/workflows/\(third)", key: app.keyA).json
            #expect(queued["status"] == "PENDING")
            #expect(
                queued["waitingFor"]
                    == [
                        "signal": .null, "until": .null, "childRunId": .null, "taskQueue": .null,
                        "rateLimit": ["key": "", "limit": 1, "position": 2, "active": 1],
                    ])
            let execution = try await client.send(.get, "/v1/workflows/\(second)/execution", key: app.keyA).json
            #expect(execution["waitingFor"]?["rateLimit"] == ["key": "", "limit": 1, "position": 1, "active": 1])
            let listed = try await client.send(.get, "/v1/workflows?status=PENDING", key: app.keyA).json
            #expect(listed["items"]?.arrayValue?.map { $0["waitingFor"]?["rateLimit"] } == [
                ["key": "", "limit": 1, "position": .null, "active": .null], ["key": "", "limit": 1, "position": .null, "active": .null],
            ])
        }
    }

    @Test func endpointsSubscribeToDefinitions() async throws {
        let app = try await TestApp()
        try await app.test { client in
            func create(_ body: JSONValue) async throws -> Client.Reply {
                try await client.send(.post, "/v1/webhook-endpoints", key: app.keyA, json: body)
            }
            let all = try await create(["url": "https://all.example/hooks"])
            #expect(all.json["workflowDefinitionIds"] == .null)
            let production = try await create(["url": "https://prod.example/hooks", "workflowDefinitionIds": ["kyc-check", "onboarding"]])
            #expect(production.status == .created)
            #expect(production.json["workflowDefinitionIds"] == ["kyc-check", "onboarding"])
            let productionId = try #require(production.json["id"]?.stringValue)
            let allId = try #require(all.json["id"]?.stringValue)

            let bad = try await create(["url": "https://x.example", "workflowDefinitionIds": ["ok", "not ok", "ok"]])
            expectProblem(bad, .unprocessableContent)
            #expect(bad.errorPointers == ["/workflowDefinitionIds/1", "/workflowDefinitionIds/2"])
            expectProblem(try await create(["url": "https://x.example", "workflowDefinitionIds": []]), .unprocessableContent)
            expectProblem(try await create(["url": "https://x.example", "workflowDefinitionIds": "kyc-check"]), .unprocessableContent)

            // The outbox writes a delivery only to the endpoints subscribed to the run's definition.
            func deliver(_ definitionId: String) async throws -> Set<String> {
                let eventId = "msg_" + ULIDGenerator().next(at: Date())
                try await app.store.pool.write { db in
                    try SQLiteStore.enqueueEvent(
                        db, tenantId: "tenant-a", type: "workflow.completed",
                        data: ["id": "run-1", "status": "COMPLETED", "workflowDefinitionId": .string(definitionId)], runId: "run-1",
                        eventId: eventId, now: Timestamp.millis(Date()))
                }
                let deliveries = try await client.send(.get, "/v1/webhook-deliveries?eventType=workflow.completed", key: app.keyA).json
                return Set(
                    deliveries["items"]?.arrayValue?.filter { $0["eventId"] == .string(eventId) }.compactMap { $0["endpointId"]?.stringValue } ?? [])
            }
            #expect(try await deliver("kyc-check") == [allId, productionId])
            #expect(try await deliver("kyc-test") == [allId])

            // PATCH narrows, and `null` subscribes to every definition again.
            let narrowed = try await client.send(.patch, "/v1/webhook-endpoints/\(allId)", key: app.keyA, json: ["workflowDefinitionIds": ["kyc-test"]])
            #expect(narrowed.json["workflowDefinitionIds"] == ["kyc-test"])
            #expect(try await deliver("kyc-check") == [productionId])
            let widened = try await client.send(.patch, "/v1/webhook-endpoints/\(productionId)", key: app.keyA, json: ["workflowDefinitionIds": nil])
            #expect(widened.json["workflowDefinitionIds"] == .null)
            #expect(try await deliver("kyc-test") == [allId, productionId])
        }
    }
}
