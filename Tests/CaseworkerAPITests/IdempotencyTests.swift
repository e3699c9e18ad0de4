import CaseworkerCore
import Foundation
import HTTPTypes
import Testing

@Suite struct IdempotencyTests {
    static let key = HTTPField.Name("Idempotency-Key")!
    static let replayed = HTTPField.Name("Idempotent-Replayed")!

    @Test func aRetryReplaysTheFirstResponseAndCreatesNothing() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let first = try await client.send(.post, "/v1/cases", key: app.keyA, json: ["firstName": "Ada"], headers: [Self.key: "k-1"])
            #expect(first.status == .created)
            #expect(first.headers[Self.replayed] == nil)
            let retry = try await client.send(.post, "/v1/cases", key: app.keyA, json: ["firstName": "Ada"], headers: [Self.key: "k-1"])
            #expect(retry.status == .created)
            #expect(retry.headers[Self.replayed] == "true")
            #expect(retry.text == first.text)
            #expect(retry.headers[.location] == first.headers[.location])
            #expect(try await client.send(.get, "/v1/cases", key: app.keyA).json["items"]?.arrayValue?.count == 1)
        }
    }

    @Test func theSameKeyForAnotherRequestIs422AndErrorsAreReplayedToo() async throws {
        let app = try await TestApp()
        try await app.test { client in
            _ = try await client.send(.post, "/v1/cases", key: app.keyA, json: ["firstName": "Ada"], headers: [Self.key: "k-2"])
            let other = try await client.send(.post, "/v1/cases", key: app.keyA, json: ["firstName": "Bob"], headers: [Self.key: "k-2"])
            let problem = expectProblem(other, .unprocessableContent)
            #expect(problem["type"] == "urn:caseworker:problem:idempotency-key-reused")

            let invalid = try await client.send(.post, "/v1/cases", key: app.keyA, json: ["email": "nope"], headers: [Self.key: "k-3"])
            #expect(invalid.status == .unprocessableContent)
            let again = try await client.send(.post, "/v1/cases", key: app.keyA, json: ["email": "nope"], headers: [Self.key: "k-3"])
            #expect(again.status == .unprocessableContent)
            #expect(again.headers[Self.replayed] == "true")
            expectProblem(
                try await client.send(.post, "/v1/cases", key: app.keyA, json: [:], headers: [Self.key: .init(repeating: "x", count: 256)]),
                .badRequest)
        }
    }

    @Test func aRetryWhileTheFirstIsInFlightIs409UntilItsLockExpires() async throws {
        let app = try await TestApp()
        let body = JSONText.encode(["firstName": "Ada"])
        // The fingerprint binds the request to the API key that made it.
        let keyId = try #require(try await app.store.activeKey(secretHash: APIKeySecret.hash(app.keyA))).id
        let hash = SHA256Hex.of(Data("\(keyId) POST /v1/cases\n\(body)".utf8))
        let now = Date()
        // Another request with this key is being processed (claimed, not completed).
        _ = try await app.store.beginIdempotentRequest(
            tenantId: "tenant-a", key: "busy", requestHash: hash, now: now, lockedUntil: now.addingTimeInterval(60),
            expiresAt: now.addingTimeInterval(3600))
        // This one's process died: its lock has expired.
        _ = try await app.store.beginIdempotentRequest(
            tenantId: "tenant-a", key: "orphan", requestHash: hash, now: now.addingTimeInterval(-120),
            lockedUntil: now.addingTimeInterval(-60), expiresAt: now.addingTimeInterval(3600))
        try await app.test { client in
            expectProblem(try await client.send(.post, "/v1/cases", key: app.keyA, rawBody: body, headers: [Self.key: "busy"]), .conflict)
            #expect(try await client.send(.post, "/v1/cases", key: app.keyA, rawBody: body, headers: [Self.key: "orphan"]).status == .created)
        }
    }

    @Test func keysBelongToATenant() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let a = try await client.send(.post, "/v1/cases", key: app.keyA, json: ["firstName": "Ada"], headers: [Self.key: "shared"])
            let b = try await client.send(.post, "/v1/cases", key: app.keyB, json: ["firstName": "Ada"], headers: [Self.key: "shared"])
            #expect(b.status == .created)
            #expect(b.headers[Self.replayed] == nil)
            #expect(a.json["id"] != b.json["id"])
        }
    }

    @Test func retryingARunStartStartsOneRun() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let caseId = try await client.createCase(key: app.keyA, [:])
            _ = try await client.send(.put, "/v1/workflow-definitions/decide", key: app.keyA, json: DefinitionRoutesTests.body(isDraft: false))
            let body: JSONValue = ["caseId": .string(caseId), "workflowDefinitionId": "decide"]
            let first = try await client.send(.post, "/v1/workflows/run", key: app.keyA, json: body, headers: [Self.key: "order-7"])
            let second = try await client.send(.post, "/v1/workflows/run", key: app.keyA, json: body, headers: [Self.key: "order-7"])
            #expect(first.status == .created)
            #expect(second.json["id"] == first.json["id"])
            #expect(try await client.send(.get, "/v1/workflows", key: app.keyA).json["items"]?.arrayValue?.count == 1)
        }
    }
}

@Suite struct IdempotencyAcrossKeysTests {
    static let key = HTTPField.Name("Idempotency-Key")!

    /// A replay answers only the key that made the request: another key with the same
    /// `Idempotency-Key` and body gets 422, never the stored response (here: a webhook secret);
    /// a 403 is never stored, so it is not replayed to a key that has the scope.
    @Test func aStoredResponseIsNeverReplayedToAnotherKey() async throws {
        let app = try await TestApp()
        let reader = app.readOnlyKeyA
        try await app.test { client in
            let body: JSONValue = ["url": "https://example.com/hook"]
            let created = try await client.send(.post, "/v1/webhook-endpoints", key: app.keyA, json: body, headers: [Self.key: "ep-1"])
            #expect(created.status == .created)
            #expect(created.text.contains("whsec_"))
            let stolen = try await client.send(.post, "/v1/webhook-endpoints", key: reader, json: body, headers: [Self.key: "ep-1"])
            #expect(stolen.status == .forbidden, "the scope is checked before the replay")
            #expect(!stolen.text.contains("whsec_"))

            let refused = try await client.send(.post, "/v1/cases", key: reader, json: ["firstName": "Ada"], headers: [Self.key: "c-1"])
            #expect(refused.status == .forbidden)
            let allowed = try await client.send(.post, "/v1/cases", key: app.keyA, json: ["firstName": "Ada"], headers: [Self.key: "c-1"])
            #expect(allowed.status == .created, "a 403 was not stored: \(allowed.text)")
            #expect(allowed.headers[HTTPField.Name("Idempotent-Replayed")!] == nil)
        }
    }
}
