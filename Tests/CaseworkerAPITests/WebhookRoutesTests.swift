import CaseworkerCore
import CaseworkerStore
import Foundation
import HTTPTypes
import Testing

@testable import CaseworkerSQLite

/// `/v1/webhook-endpoints` and `/v1/webhook-deliveries` through the real router.
@Suite struct WebhookRoutesTests {
    static let endpoint: JSONValue = ["url": "https://crm.example/hooks/caseworker", "description": "CRM"]

    func create(_ client: Client, key: String, _ body: JSONValue = Self.endpoint) async throws -> JSONValue {
        let reply = try await client.send(.post, "/v1/webhook-endpoints", key: key, json: body)
        #expect(reply.status == .created, "\(reply.text)")
        return reply.json
    }

    @Test func createShowsTheSecretOnceAndReadsNeverDo() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let reply = try await client.send(.post, "/v1/webhook-endpoints", key: app.keyA, json: Self.endpoint)
            #expect(reply.status == .created)
            let created = reply.json
            let id = try #require(created["id"]?.stringValue)
            #expect(reply.headers[.location] == "/v1/webhook-endpoints/\(id)")
            let secret = try #require(created["secret"]?.stringValue)
            #expect(secret.hasPrefix("whsec_") && Data(base64Encoded: String(secret.dropFirst(6)))?.count == 32)
            #expect(created["events"] == ["workflow.completed", "workflow.failed", "workflow.timed_out", "workflow.cancelled"])
            #expect(created["enabled"] == true && created["description"] == "CRM" && created["disabledReason"] == .null)
            #expect(created["failingSince"] == .null && created["previousSecretExpiresAt"] == .null)

            let fetched = try await client.send(.get, "/v1/webhook-endpoints/\(id)", key: app.keyA).json
            #expect(fetched["secret"] == nil)
            var withoutSecret = created.objectValue!
            withoutSecret["secret"] = nil
            #expect(fetched == .object(withoutSecret))
            let list = try await client.send(.get, "/v1/webhook-endpoints", key: app.keyA).json
            #expect(list["items"] == [fetched] && list["nextCursor"] == .null)
            #expect(!(try await client.send(.get, "/v1/webhook-endpoints", key: app.keyA).text.contains(secret)))

            let given = "whsec_" + Data(repeating: 1, count: 24).base64EncodedString()
            let withSecret = try await create(client, key: app.keyA, ["url": "http://h.example:8080/x", "secret": .string(given), "events": ["workflow.waiting"]])
            #expect(withSecret["secret"] == .string(given) && withSecret["events"] == ["workflow.waiting"])
        }
    }

    @Test func everyProblemOfABodyIsReportedWithItsPointer() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let reply = try await client.send(
                .post, "/v1/webhook-endpoints", key: app.keyA,
                json: [
                    "url": "ftp://files.example/x", "events": ["workflow.completed", "workflow.exploded", "workflow.completed"],
                    "description": .string(String(repeating: "d", count: 1025)), "enabled": "yes", "secret": "whsec_short", "colour": "red",
                    "id": "mine",
                ])
            let problem = expectProblem(reply, .unprocessableContent)
            #expect(Set(reply.errorPointers) == ["/url", "/events/1", "/events/2", "/description", "/enabled", "/secret", "/colour", "/id"])
            #expect(problem["type"] == "urn:caseworker:problem:validation-failed")
            for (url, message) in [
                ("https://user:pw@h.example/", "user info"), ("/relative", "absolute"), ("https:///nohost", "host"),
                ("https://h.example/#frag", "fragment"), ("javascript:alert(1)", "http"),
            ] {
                let bad = try await client.send(.post, "/v1/webhook-endpoints", key: app.keyA, json: ["url": .string(url)])
                expectProblem(bad, .unprocessableContent)
                #expect(bad.errorPointers == ["/url"], "\(url)")
                #expect(bad.text.contains(message), "\(url): \(bad.text)")
            }
            expectProblem(try await client.send(.post, "/v1/webhook-endpoints", key: app.keyA, json: ["events": []]), .unprocessableContent)
            expectProblem(try await client.send(.post, "/v1/webhook-endpoints", key: app.keyA, rawBody: "{", contentType: "application/json"), .badRequest)
        }
    }

    @Test func patchMergesAndRefusesTheSecretAndRemovals() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let id = try #require(try await create(client, key: app.keyA)["id"]?.stringValue)
            let patched = try await client.send(
                .patch, "/v1/webhook-endpoints/\(id)", key: app.keyA, json: ["events": ["workflow.failed"], "description": nil, "enabled": false],
                contentType: "application/merge-patch+json")
            #expect(patched.status == .ok, "\(patched.text)")
            #expect(patched.json["events"] == ["workflow.failed"] && patched.json["description"] == .null && patched.json["enabled"] == false)
            #expect(patched.json["secret"] == nil)
            let reset = try await client.send(.patch, "/v1/webhook-endpoints/\(id)", key: app.keyA, json: ["events": nil, "enabled": true])
            #expect(reset.json["events"]?.arrayValue?.count == 4 && reset.json["enabled"] == true)
            let bad = try await client.send(
                .patch, "/v1/webhook-endpoints/\(id)", key: app.keyA, json: ["url": nil, "enabled": nil, "secret": "whsec_x", "events": ["Nope"]])
            expectProblem(bad, .unprocessableContent)
            #expect(Set(bad.errorPointers) == ["/url", "/enabled", "/secret", "/events/0"])
            #expect(try await client.send(.get, "/v1/webhook-endpoints/\(id)", key: app.keyA).json["url"] == Self.endpoint["url"])
        }
    }

    @Test func rotateSecretShowsTheNewSecretAndTheGrace() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let created = try await create(client, key: app.keyA)
            let id = try #require(created["id"]?.stringValue)
            let rotated = try await client.send(.post, "/v1/webhook-endpoints/\(id)/rotate-secret", key: app.keyA, json: ["graceSeconds": 3600])
            #expect(rotated.status == .ok, "\(rotated.text)")
            #expect(rotated.json["secret"] != created["secret"] && rotated.json["secret"]?.stringValue?.hasPrefix("whsec_") == true)
            let expires = try #require(rotated.json["previousSecretExpiresAt"]?.stringValue.flatMap(Timestamp.parse))
            #expect(abs(expires.timeIntervalSinceNow - 3600) < 60)
            let stored = try #require(try await app.store.findEndpoint(tenantId: "tenant-a", id: id))
            #expect(stored.activeSecrets(at: Date()) == [rotated.json["secret"]!.stringValue!, created["secret"]!.stringValue!])

            let noBody = try await client.send(.post, "/v1/webhook-endpoints/\(id)/rotate-secret", key: app.keyA)
            #expect(noBody.status == .ok, "\(noBody.text)")
            let bad = try await client.send(
                .post, "/v1/webhook-endpoints/\(id)/rotate-secret", key: app.keyA, json: ["graceSeconds": -1, "secret": 5, "x": 1])
            expectProblem(bad, .unprocessableContent)
            #expect(Set(bad.errorPointers) == ["/graceSeconds", "/secret", "/x"])
        }
    }

    @Test func deleteRemovesTheEndpoint() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let id = try #require(try await create(client, key: app.keyA)["id"]?.stringValue)
            #expect(try await client.send(.delete, "/v1/webhook-endpoints/\(id)", key: app.keyA).status == .noContent)
            expectProblem(try await client.send(.get, "/v1/webhook-endpoints/\(id)", key: app.keyA), .notFound)
            expectProblem(try await client.send(.delete, "/v1/webhook-endpoints/\(id)", key: app.keyA), .notFound)
        }
    }

    /// Puts one event through the outbox for tenant A's endpoint and fails its delivery.
    func failedDelivery(_ app: TestApp, endpointId: String) async throws -> (eventId: String, deliveryId: String) {
        let eventId = "msg_" + ULIDGenerator().next(at: Date())
        let now = Timestamp.millis(Date())
        try await app.store.pool.write { db in
            try SQLiteStore.enqueueEvent(
                db, tenantId: "tenant-a", type: "workflow.completed", data: ["id": "run-1", "status": "COMPLETED"], runId: "run-1",
                eventId: eventId, now: now)
        }
        let claimed = try #require(
            try await app.store.claimDueDeliveries(
                limit: 1, perEndpointLimit: 1, inFlight: [:], leaseOwner: "test", leaseDuration: .seconds(60), now: Date()
            ).first)
        _ = try await app.store.recordAttempt(
            deliveryId: claimed.id, leaseOwner: "test",
            attempt: DeliveryAttempt(attempt: 1, at: Date(), responseStatus: 500, durationMs: 12, responseBody: "boom", error: nil),
            resolution: .exhausted, shouldDisableEndpoint: { _ in false })
        #expect(claimed.endpointId == endpointId)
        return (eventId, claimed.id)
    }

    @Test func theAttemptLogListsFiltersShowsAndRedelivers() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let endpointId = try #require(try await create(client, key: app.keyA)["id"]?.stringValue)
            let (eventId, deliveryId) = try await failedDelivery(app, endpointId: endpointId)

            let list = try await client.send(.get, "/v1/webhook-deliveries?endpointId=\(endpointId)&status=FAILED&eventType=workflow.completed", key: app.keyA).json
            let item = try #require(list["items"]?.arrayValue?.first)
            #expect(item["id"] == .string(deliveryId) && item["eventId"] == .string(eventId) && item["status"] == "FAILED")
            #expect(item["attemptCount"] == 1 && item["lastError"] == "the receiver answered HTTP 500" && item["nextAttemptAt"] == .null)
            #expect(try await client.send(.get, "/v1/webhook-deliveries?status=PENDING", key: app.keyA).json["items"] == [])
            #expect(try await client.send(.get, "/v1/webhook-deliveries?eventType=workflow.failed", key: app.keyA).json["items"] == [])
            expectProblem(try await client.send(.get, "/v1/webhook-deliveries?status=LOST", key: app.keyA), .badRequest)
            expectProblem(try await client.send(.get, "/v1/webhook-deliveries?eventType=workflow.exploded", key: app.keyA), .badRequest)

            let detail = try await client.send(.get, "/v1/webhook-deliveries/\(deliveryId)", key: app.keyA).json
            #expect(detail["payload"]?["type"] == "workflow.completed" && detail["payload"]?["data"]?["id"] == "run-1")
            let attempt = try #require(detail["attempts"]?.arrayValue?.first)
            #expect(attempt["attempt"] == 1 && attempt["responseStatus"] == 500 && attempt["durationMs"] == 12)
            #expect(attempt["responseBody"] == "boom" && attempt["error"] == .null && attempt["at"]?.stringValue != nil)

            let redelivered = try await client.send(.post, "/v1/webhook-deliveries/\(deliveryId)/redeliver", key: app.keyA)
            #expect(redelivered.status == .accepted, "\(redelivered.text)")
            #expect(redelivered.json["eventId"] == .string(eventId) && redelivered.json["status"] == "PENDING")
            #expect(redelivered.json["id"] != .string(deliveryId))
            // Already on its way: a second redelivery conflicts.
            expectProblem(try await client.send(.post, "/v1/webhook-deliveries/\(deliveryId)/redeliver", key: app.keyA), .conflict)
            expectProblem(try await client.send(.post, "/v1/webhook-deliveries/nope/redeliver", key: app.keyA), .notFound)
        }
    }

    @Test func anotherTenantsEndpointsAndDeliveriesAreInvisible() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let id = try #require(try await create(client, key: app.keyA)["id"]?.stringValue)
            let (_, deliveryId) = try await failedDelivery(app, endpointId: id)
            for (method, path) in [
                (HTTPRequest.Method.get, "/v1/webhook-endpoints/\(id)"), (.delete, "/v1/webhook-endpoints/\(id)"),
                (.post, "/v1/webhook-endpoints/\(id)/rotate-secret"), (.get, "/v1/webhook-deliveries/\(deliveryId)"),
                (.post, "/v1/webhook-deliveries/\(deliveryId)/redeliver"),
            ] {
                expectProblem(try await client.send(method, path, key: app.keyB), .notFound)
            }
            expectProblem(try await client.send(.patch, "/v1/webhook-endpoints/\(id)", key: app.keyB, json: ["enabled": false]), .notFound)
            #expect(try await client.send(.get, "/v1/webhook-endpoints", key: app.keyB).json["items"] == [])
            #expect(try await client.send(.get, "/v1/webhook-deliveries", key: app.keyB).json["items"] == [])
            #expect(try await client.send(.get, "/v1/webhook-deliveries?endpointId=\(id)", key: app.keyB).json["items"] == [])
            #expect(try await client.send(.get, "/v1/webhook-endpoints/\(id)", key: app.keyA).json["enabled"] == true)
        }
    }

    @Test func scopesAndMethodsAreChecked() async throws {
        let app = try await TestApp()
        try await app.test { client in
            expectProblem(try await client.send(.get, "/v1/webhook-endpoints", key: app.readOnlyKeyA), .forbidden)
            expectProblem(try await client.send(.get, "/v1/webhook-deliveries", key: app.readOnlyKeyA), .forbidden)
            let secret = APIKeySecret.generate()
            _ = try await app.store.createKey(tenantId: "tenant-a", name: "hooks-reader", scopes: [.of(.webhooks, .read)], secret: secret)
            #expect(try await client.send(.get, "/v1/webhook-endpoints", key: secret.text).status == .ok)
            expectProblem(try await client.send(.post, "/v1/webhook-endpoints", key: secret.text, json: Self.endpoint), .forbidden)

            let put = try await client.send(.put, "/v1/webhook-endpoints", key: app.keyA, json: [:])
            expectProblem(put, .methodNotAllowed)
            #expect(put.headers[HTTPField.Name("Allow")!] == "GET, HEAD, POST")
            expectProblem(try await client.send(.get, "/v1/webhook-endpoints/x/rotate-secret", key: app.keyA), .methodNotAllowed)
            expectProblem(try await client.send(.post, "/v1/webhook-endpoints/x", key: app.keyA, json: [:]), .methodNotAllowed)
            expectProblem(try await client.send(.delete, "/v1/webhook-deliveries/x", key: app.keyA), .methodNotAllowed)
            expectProblem(try await client.send(.get, "/v1/webhook-deliveries/x/redeliver", key: app.keyA), .methodNotAllowed)
        }
    }
}
