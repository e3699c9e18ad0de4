import CaseworkerCore
import CaseworkerWebhookSigning
import Foundation

/// Workload W1 (SPEC 5): one KYC run. Step 1 calls the stub provider, step 2 decides (`approve`
/// when the score is at least 50, else `refer`), step 3 completes with `{decision, score}`.
enum W1Workload {
    static let definitionId = "w1-kyc"

    static func definition(stubPort: Int) -> JSONValue {
        [
            "name": "W1 KYC check", "isDraft": false,
            "steps": [
                [
                    "id": "verify", "action": "http.request",
                    "config": [
                        "method": "POST", "url": .string("http://127.0.0.1:\(stubPort)/verify"),
                        "body": ["caseId": "${case.id}"], "timeoutSeconds": 10,
                    ],
                ],
                [
                    "id": "decide", "action": "transform",
                    "config": ["set": ["decision": "${steps.verify.output.body.score >= 50 ? 'approve' : 'refer'}"]],
                ],
                [
                    "id": "done", "action": "complete",
                    "config": ["result": ["decision": "${state.decision}", "score": "${steps.verify.output.body.score}"]],
                ],
            ],
        ]
    }

    /// Publishes the definition (again, in a database a previous benchmark used) and points the
    /// tenant's webhooks at this receiver only: endpoints left by earlier benchmarks are disabled.
    static func setUp(api: APIClient, stubPort: Int, receiverPort: Int, secret: WebhookSecret) async throws {
        let (status, body) = try await api.send(.PUT, "/v1/workflow-definitions/\(definitionId)", definition(stubPort: stubPort))
        guard status == 200 || status == 201 else { throw BenchError("publishing W1 answered \(status): \(JSONText.encode(body))") }
        let existing = try await api.expect(200, .GET, "/v1/webhook-endpoints?limit=100")
        for endpoint in existing["items"]?.arrayValue ?? [] {
            guard let id = endpoint["id"]?.stringValue, endpoint["enabled"]?.boolValue == true else { continue }
            try await api.expect(200, .PATCH, "/v1/webhook-endpoints/\(id)", ["enabled": false])
        }
        try await api.expect(
            201, .POST, "/v1/webhook-endpoints",
            ["url": .string("http://127.0.0.1:\(receiverPort)/hook"), "secret": .string(secret.text), "events": ["workflow.completed"]])
    }

    /// Creates `count` cases (32 at a time); answers their ids.
    static func createCases(_ count: Int, api: APIClient) async throws -> [String] {
        let ids = IndexedResults(count: count)
        let batch = UUID().uuidString.prefix(8)
        try await forEachConcurrently(count, width: 32) { index in
            let created = try await api.expect(
                201, .POST, "/v1/cases",
                ["externalId": .string("bench-\(batch)-\(index)"), "firstName": "Bench", "lastName": .string("Case \(index)")])
            ids.set(index, created["id"]?.stringValue ?? "")
        }
        return ids.values
    }
}
