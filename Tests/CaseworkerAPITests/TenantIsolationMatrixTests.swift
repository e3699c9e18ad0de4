import CaseworkerCore
import HTTPTypes
import Testing

/// For every endpoint with an id: tenant B's key on tenant A's resource answers 404, exactly like
/// an unknown id, and changes nothing.
@Suite struct TenantIsolationMatrixTests {
    @Test func everyEndpointWithAnIdIsTenantScoped() async throws {
        let app = try await TestApp()
        try await app.test { client in
            // Tenant A's resources, one of each.
            let caseId = try await client.createCase(key: app.keyA, ["firstName": "Ada", "externalId": "crm-1"])
            _ = try await client.send(.put, "/v1/workflow-definitions/kyc", key: app.keyA, json: ParameterSetRoutesTestsSupport.kyc)
            _ = try await client.send(.put, "/v1/workflow-definitions/kyc", key: app.keyA, json: ParameterSetRoutesTestsSupport.kycDraft)
            let parametersId = try #require(
                try await client.send(.post, "/v1/parameters", key: app.keyA, json: ["workflowDefinitionId": "kyc", "values": ["region": "eu"]])
                    .json["id"]?.stringValue)
            let runId = try #require(
                try await client.send(
                    .post, "/v1/workflows/run", key: app.keyA, json: ["caseId": .string(caseId), "workflowDefinitionId": "kyc"]
                ).json["id"]?.stringValue)
            let endpointId = try #require(
                try await client.send(.post, "/v1/webhook-endpoints", key: app.keyA, json: ["url": "https://receiver.example/hook"])
                    .json["id"]?.stringValue)

            let reads = [
                "/v1/cases/\(caseId)", "/v1/parameters/\(parametersId)", "/v1/workflow-definitions/kyc",
                "/v1/workflow-definitions/kyc?version=draft", "/v1/workflows/\(runId)", "/v1/webhook-endpoints/\(endpointId)",
            ]
            var before: [String: JSONValue] = [:]
            for path in reads { before[path] = try await client.send(.get, path, key: app.keyA).json }

            let attempts: [(HTTPRequest.Method, String, JSONValue?)] = [
                (.get, "/v1/cases/\(caseId)", nil), (.patch, "/v1/cases/\(caseId)", ["firstName": "Mallory"]),
                (.delete, "/v1/cases/\(caseId)", nil), (.get, "/v1/parameters/\(parametersId)", nil),
                (.get, "/v1/workflow-definitions/kyc", nil), (.get, "/v1/workflow-definitions/kyc/versions", nil),
                (.post, "/v1/workflow-definitions/kyc/publish", nil), (.post, "/v1/workflow-definitions/kyc/disable", nil),
                (.post, "/v1/workflow-definitions/kyc/enable", nil), (.delete, "/v1/workflow-definitions/kyc/draft", nil),
                (.get, "/v1/workflows/\(runId)", nil), (.get, "/v1/workflows/\(runId)/result", nil),
                (.get, "/v1/workflows/\(runId)/execution", nil), (.post, "/v1/workflows/\(runId)/cancel", nil),
                (.post, "/v1/workflows/\(runId)/retry", nil),
                (.post, "/v1/workflows/\(runId)/signals/review", ["payload": ["ok": true]]), (.get, "/v1/webhook-endpoints/\(endpointId)", nil),
                (.patch, "/v1/webhook-endpoints/\(endpointId)", ["enabled": false]),
                (.post, "/v1/webhook-endpoints/\(endpointId)/rotate-secret", ["graceSeconds": 0]),
                (.delete, "/v1/webhook-endpoints/\(endpointId)", nil),
                (.post, "/v1/workflows/run", ["caseId": .string(caseId), "workflowDefinitionId": "kyc"]),
                (.post, "/v1/parameters", ["workflowDefinitionId": "kyc"]),
            ]
            for (method, path, body) in attempts {
                let reply = try await client.send(method, path, key: app.keyB, json: body ?? (method == .get || method == .delete ? nil : [:]))
                expectProblem(reply, .notFound)
            }
            let deliveries = try await client.send(.get, "/v1/webhook-deliveries", key: app.keyA).json["items"]?.arrayValue ?? []
            for delivery in deliveries {
                let id = try #require(delivery["id"]?.stringValue)
                expectProblem(try await client.send(.get, "/v1/webhook-deliveries/\(id)", key: app.keyB), .notFound)
                expectProblem(try await client.send(.post, "/v1/webhook-deliveries/\(id)/redeliver", key: app.keyB), .notFound)
            }
            for list in ["/v1/cases", "/v1/workflow-definitions", "/v1/workflows", "/v1/webhook-endpoints", "/v1/webhook-deliveries"] {
                #expect(try await client.send(.get, list, key: app.keyB).json["items"] == [], "\(list)")
            }
            for path in reads {
                var now = try await client.send(.get, path, key: app.keyA).json
                var then = before[path]!
                // A run moves on by itself; compare what B could have changed.
                if path.hasPrefix("/v1/workflows/") {
                    now = ["id": now["id"] ?? .null, "caseId": now["caseId"] ?? .null]
                    then = ["id": then["id"] ?? .null, "caseId": then["caseId"] ?? .null]
                }
                #expect(now == then, "\(path) changed")
            }
        }
    }
}

enum ParameterSetRoutesTestsSupport {
    static let kyc: JSONValue = [
        "name": "KYC", "isDraft": false, "variables": ["region": ["type": "string"]],
        "steps": [["id": "done", "action": "complete"]],
    ]
    static let kycDraft: JSONValue = [
        "name": "KYC v2", "isDraft": true, "variables": ["region": ["type": "string"]],
        "steps": [["id": "done", "action": "complete"]],
    ]
}
