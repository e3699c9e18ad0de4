import CaseworkerCore
import CaseworkerSQLite
import CaseworkerStore
import CaseworkerTestSupport
import CaseworkerWebhookSigning
import Foundation
import Testing

@testable import CaseworkerWebhooks

/// The dispatcher against a real local receiver, over a real SQLite file, with a manual clock.
@Suite struct DeliveryDispatcherTests {
    @Test func deliversSignedEventsThatOurVerifierAccepts() async throws {
        let h = try await Harness()
        defer { h.cleanUp() }
        try await Receiver.with { receiver in
            let endpoint = try await h.endpoint(receiver.url("a"))
            let events = [try await h.enqueue(), try await h.enqueue(.failed), try await h.enqueue(.waiting)]
            try await h.withDispatcher { _ in
                let deliveries = try await h.waitForAttempts(endpoint.id, count: 2)
                #expect(deliveries.allSatisfy { $0.status == .succeeded && $0.attemptCount == 1 })
            }
            let received = receiver.received("a")
            // workflow.waiting is not in the default subscription.
            #expect(Set(received.compactMap(\.webhookId)) == Set(events.prefix(2)))
            let verifier = WebhookVerifier(secret: Harness.secret)
            for request in received {
                #expect(request.headers["content-type"] == "application/json")
                #expect(request.headers["webhook-timestamp"] == String(WebhookSigner.timestamp(of: h.clock.now)))
                try verifier.verify(headers: request.headers, body: request.body, now: h.clock.now)
                let stored = try await h.store.listDeliveries(tenantId: Harness.tenant, filter: .init(), page: .init(limit: 10)).items
                    .first { $0.eventId == request.webhookId }
                let detail = try await h.detail(try #require(stored).id)
                #expect(detail.body == request.bodyText, "the body sent is the body stored")
                #expect(detail.attempts.count == 1 && detail.attempts[0].responseStatus == 200 && detail.attempts[0].responseBody == "ok")
            }
        }
    }

    /// SPEC 3's status rules, one endpoint per case, against the real receiver.
    @Test func everyStatusCodeRule() async throws {
        let h = try await Harness()
        defer { h.cleanUp() }
        struct Case: Sendable {
            var name: String
            var reply: Receiver.Reply
            var status: DeliveryStatus
            /// Seconds from now to the next attempt, for retries.
            var retryIn: Double?
            var disables = false
        }
        let cases: [Case] = [
            Case(name: "s200", reply: .status(200), status: .succeeded),
            Case(name: "s201", reply: .status(201), status: .succeeded),
            Case(name: "s204", reply: Receiver.Reply(status: 204, body: ""), status: .succeeded),
            Case(name: "s299", reply: .status(299), status: .succeeded),
            Case(name: "s301", reply: .status(301, headers: ["Location": "/e/redirected"]), status: .pending, retryIn: 5),
            Case(name: "s302", reply: .status(302, headers: ["Location": "/e/redirected"]), status: .pending, retryIn: 5),
            Case(name: "s307", reply: .status(307, headers: ["Location": "/e/redirected"]), status: .pending, retryIn: 5),
            Case(name: "s400", reply: .status(400), status: .pending, retryIn: 5),
            Case(name: "s404", reply: .status(404), status: .pending, retryIn: 5),
            Case(name: "s500", reply: .status(500), status: .pending, retryIn: 5),
            Case(name: "s502", reply: .status(502, headers: ["Retry-After": "120"]), status: .pending, retryIn: 5),
            Case(name: "s410", reply: .status(410), status: .failed, disables: true),
            Case(name: "s429", reply: .status(429, headers: ["Retry-After": "120"]), status: .pending, retryIn: 120),
            Case(name: "s503", reply: .status(503, headers: ["Retry-After": "120"]), status: .pending, retryIn: 120),
            Case(name: "s503date", reply: .status(503, headers: ["Retry-After": HTTPDate.formatIMFFixdate(Date(timeIntervalSince1970: 1_800_000_600))]), status: .pending, retryIn: 600),
            Case(name: "s503huge", reply: .status(503, headers: ["Retry-After": "99999999"]), status: .pending, retryIn: 24 * 3600),
            Case(name: "s503short", reply: .status(503, headers: ["Retry-After": "1"]), status: .pending, retryIn: 5),
            Case(name: "s503bad", reply: .status(503, headers: ["Retry-After": "soon"]), status: .pending, retryIn: 5),
        ]
        let byName = Dictionary(uniqueKeysWithValues: cases.map { ($0.name, $0.reply) })
        try await Receiver.with({ name, _ in byName[name] ?? .status(599) }) { receiver in
            var endpoints: [String: String] = [:]
            for c in cases { endpoints[c.name] = try await h.endpoint(receiver.url(c.name)).id }
            let ids = endpoints
            try await h.enqueue()
            try await h.withDispatcher { _ in
                for c in cases {
                    let delivery = try #require(try await h.waitForAttempts(ids[c.name]!).first)
                    #expect(delivery.status == c.status, "\(c.name)")
                    #expect(delivery.nextAttemptAt == c.retryIn.map { h.clock.now.addingTimeInterval($0) }, "\(c.name)")
                    let endpoint = try await h.store.findEndpoint(tenantId: Harness.tenant, id: ids[c.name]!)
                    #expect(endpoint?.fields.enabled == !c.disables, "\(c.name)")
                    #expect((endpoint?.failingSince != nil) == (c.status != .succeeded), "\(c.name)")
                    let attempt = try #require(try await h.detail(delivery.id).attempts.first)
                    #expect(attempt.responseStatus == Int(c.name.dropFirst().prefix(3)), "\(c.name)")
                }
            }
            #expect(receiver.received("redirected").isEmpty, "redirects are never followed")
            for c in cases { #expect(receiver.received(c.name).count == 1, "\(c.name)") }
        }
    }

    @Test func aTimeoutOrARefusedConnectionIsAFailedAttempt() async throws {
        let h = try await Harness()
        defer { h.cleanUp() }
        try await Receiver.with({ _, _ in Receiver.Reply(hold: true) }) { receiver in
            let slow = try await h.endpoint(receiver.url("slow"))
            // Nothing listens on a port bound and held without listening.
            let refusing = RefusingPort()
            defer { withExtendedLifetime(refusing) {} }
            let closed = try await h.endpoint("http://127.0.0.1:\(refusing.port)/e/none")
            try await h.enqueue()
            try await h.withDispatcher(Harness.testConfiguration(attemptTimeout: .milliseconds(300))) { _ in
                let timedOut = try #require(try await h.waitForAttempts(slow.id).first)
                #expect(timedOut.status == .pending)
                let attempt = try #require(try await h.detail(timedOut.id).attempts.first)
                #expect(attempt.responseStatus == nil)
                #expect(attempt.error?.hasPrefix("timeout:") == true, "\(attempt.error ?? "")")
                let refused = try #require(try await h.waitForAttempts(closed.id).first)
                let refusal = try #require(try await h.detail(refused.id).attempts.first)
                #expect(refusal.error?.hasPrefix("connectionRefused:") == true, "\(refusal.error ?? "")")
                #expect(refused.status == .pending && refused.nextAttemptAt == h.clock.now.addingTimeInterval(5))
            }
        }
    }

    @Test func afterTheLastAttemptTheDeliveryFailsAndARedeliveryResendsTheSameEvent() async throws {
        let h = try await Harness()
        defer { h.cleanUp() }
        try await Receiver.with({ _, _ in .status(500) }) { receiver in
            let endpoint = try await h.endpoint(receiver.url("a"))
            let eventId = try await h.enqueue()
            try await h.withDispatcher(Harness.testConfiguration(delays: [.zero, .seconds(10)])) { _ in
                let first = try #require(try await h.waitForAttempts(endpoint.id).first)
                #expect(first.status == .pending && first.nextAttemptAt == h.clock.now.addingTimeInterval(10))
                h.manualClock.advance(by: 10)
                let failed = try #require(try await h.waitForAttempts(endpoint.id, attempts: 2).first)
                #expect(failed.status == .failed && failed.nextAttemptAt == nil)
                #expect(failed.lastError == "the receiver answered HTTP 500")
                #expect(try await h.detail(failed.id).attempts.map(\.attempt) == [1, 2])

                receiver.rescript { _, _ in .ok }
                let again = try #require(try await h.store.redeliver(tenantId: Harness.tenant, id: failed.id))
                try await waitFor("the redelivery succeeds") {
                    try await h.store.findDelivery(tenantId: Harness.tenant, id: again.id)?.delivery.status == .succeeded
                }
            }
            #expect(receiver.received("a").map(\.webhookId) == [eventId, eventId, eventId], "the same webhook-id every time")
            let verifier = WebhookVerifier(secret: Harness.secret)
            for request in receiver.received("a") { try verifier.verify(headers: request.headers, body: request.body, now: h.clock.now) }
        }
    }

    @Test func duringARotationGraceBothSecretsSign() async throws {
        let h = try await Harness()
        defer { h.cleanUp() }
        try await Receiver.with { receiver in
            let endpoint = try await h.endpoint(receiver.url("a"))
            let newSecret = WebhookSecret.generate()
            _ = try await h.store.rotateSecret(tenantId: Harness.tenant, id: endpoint.id, newSecret: newSecret.text, grace: .seconds(3600))
            try await h.enqueue()
            try await h.withDispatcher { _ in
                _ = try await h.waitForAttempts(endpoint.id)
                h.manualClock.advance(by: 3600)
                try await h.enqueue()
                _ = try await h.waitForAttempts(endpoint.id, count: 2)
            }
            let (during, after) = (receiver.received("a")[0], receiver.received("a")[1])
            #expect(during.headers["webhook-signature"]?.split(separator: " ").count == 2)
            let oldOnly = WebhookVerifier(secret: Harness.secret)
            let newOnly = WebhookVerifier(secret: newSecret)
            let duringTime = h.clock.now.addingTimeInterval(-3600)
            try oldOnly.verify(headers: during.headers, body: during.body, now: duringTime)
            try newOnly.verify(headers: during.headers, body: during.body, now: duringTime)
            #expect(after.headers["webhook-signature"]?.split(separator: " ").count == 1)
            try newOnly.verify(headers: after.headers, body: after.body, now: h.clock.now)
            #expect(throws: WebhookVerificationError.noMatchingSignature) {
                try oldOnly.verify(headers: after.headers, body: after.body, now: h.clock.now)
            }
        }
    }

    /// A process that died between claiming and recording (simulated: claimed by another owner and
    /// never recorded) leaves a lease; once it expires the delivery goes out again, same id.
    @Test func anExpiredLeaseIsDeliveredAgainAfterACrash() async throws {
        let h = try await Harness()
        defer { h.cleanUp() }
        try await Receiver.with { receiver in
            let endpoint = try await h.endpoint(receiver.url("a"))
            let canary = try await h.endpoint(receiver.url("canary"), events: [.waiting])
            try await h.withDispatcher { _ in
                // Once a delivery went out, the dispatcher's start-up rescue is behind us.
                try await h.enqueue(.waiting)
                _ = try await h.waitForAttempts(canary.id)
                // Another process claims it (after this dispatcher's start-up rescue) and dies. The
                // event is due 30 s ahead, so that only the other process's claim can take it.
                let eventId = try await h.enqueue(dueIn: 30)
                let crashed = try await h.store.claimDueDeliveries(
                    limit: 10, perEndpointLimit: 16, inFlight: [:], leaseOwner: "crashed-process", leaseDuration: .seconds(60),
                    now: h.clock.now.addingTimeInterval(30))
                #expect(crashed.count == 1)
                h.manualClock.advance(by: 89)
                try await Task.sleep(for: .milliseconds(200))  // several polls: the lease holds
                #expect(receiver.received("a").isEmpty)
                h.manualClock.advance(by: 1)
                let delivered = try #require(try await h.waitForAttempts(endpoint.id).first)
                #expect(delivered.status == .succeeded && delivered.attemptCount == 1 && delivered.id == crashed[0].id)
                #expect(receiver.received("a").map(\.webhookId) == [eventId])
            }
        }
    }

    /// Deliveries left leased by a process that died are sent again as soon as a dispatcher starts.
    @Test func startingRescuesDeliveriesLeftInFlight() async throws {
        let h = try await Harness()
        defer { h.cleanUp() }
        try await Receiver.with { receiver in
            let endpoint = try await h.endpoint(receiver.url("a"))
            let eventId = try await h.enqueue()
            _ = try await h.store.claimDueDeliveries(
                limit: 10, perEndpointLimit: 16, inFlight: [:], leaseOwner: "dead-process", leaseDuration: .seconds(60), now: h.clock.now)
            try await h.withDispatcher { _ in
                let delivered = try #require(try await h.waitForAttempts(endpoint.id).first)
                #expect(delivered.status == .succeeded && delivered.attemptCount == 1)
            }
            #expect(receiver.received("a").map(\.webhookId) == [eventId])
        }
    }

    @Test func gracefulShutdownLetsAttemptsInFlightFinish() async throws {
        let h = try await Harness()
        defer { h.cleanUp() }
        try await Receiver.with({ _, _ in Receiver.Reply(hold: true) }) { receiver in
            let endpoint = try await h.endpoint(receiver.url("a"))
            try await h.enqueue()
            let stopping = try await h.withDispatcher { _ in
                try await waitFor("the attempt is in flight") { !receiver.received("a").isEmpty }
                // Release the receiver shortly after the shutdown starts.
                return Task {
                    try await Task.sleep(for: .milliseconds(100))
                    receiver.release()
                }
            }
            try await stopping.value
            let delivery = try #require(try await h.deliveries(endpoint: endpoint.id).first)
            #expect(delivery.status == .succeeded, "the attempt finished and was recorded before the dispatcher stopped")
        }
    }
}

