import CaseworkerCore
import CaseworkerStore
import CaseworkerTestSupport
import Foundation
import GRDB
import Synchronization
import Testing

@testable import CaseworkerSQLite

/// The outbox and the endpoint store over a real SQLite file, with a manual clock.
@Suite struct WebhookStoreTests {
    static let secret = "whsec_" + Data(repeating: 7, count: 32).base64EncodedString()
    static let otherSecret = "whsec_" + Data(repeating: 9, count: 32).base64EncodedString()

    struct Fixture {
        let store: SQLiteStore
        let clock: ManualClock
        let directory: URL

        var nowMillis: Int64 { Timestamp.millis(clock.now) }

        /// Enqueues an event the way the engine does: inside its own write transaction.
        func enqueue(_ type: WebhookEventType, tenant: String = "a", data: JSONValue = ["id": "run-1", "status": "COMPLETED"])
            async throws -> String
        {
            let eventId = "msg_" + ULIDGenerator().next(at: clock.now)
            let now = nowMillis
            try await store.pool.write { db in
                try SQLiteStore.enqueueEvent(db, tenantId: tenant, type: type.rawValue, data: data, runId: "run-1", eventId: eventId, now: now)
            }
            return eventId
        }

        func claim(limit: Int = 100, perEndpoint: Int = 16, inFlight: [String: Int] = [:], owner: String = "p1") async throws
            -> [ClaimedDelivery]
        {
            try await store.claimDueDeliveries(
                limit: limit, perEndpointLimit: perEndpoint, inFlight: inFlight, leaseOwner: owner, leaseDuration: .seconds(60),
                now: clock.now)
        }

        func record(_ claimed: ClaimedDelivery, status: Int?, error: String? = nil, _ resolution: DeliveryResolution, owner: String = "p1",
                    disableAfter: TimeInterval = 5 * 86400) async throws -> RecordedAttempt?
        {
            let now = clock.now
            return try await store.recordAttempt(
                deliveryId: claimed.id, leaseOwner: owner,
                attempt: DeliveryAttempt(attempt: claimed.attempt, at: now, responseStatus: status, durationMs: 3, responseBody: "ok", error: error),
                resolution: resolution, shouldDisableEndpoint: { now.timeIntervalSince($0) >= disableAfter })
        }
    }

    func fixture() async throws -> Fixture {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("caseworker-webhooks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let clock = ManualClock()
        let store = try SQLiteStore(options: .init(path: directory.appendingPathComponent("db.sqlite").path), clock: clock)
        try store.migrate()
        _ = try await store.createKey(tenantId: "a", name: "k", scopes: [.admin], secret: .generate())
        _ = try await store.createKey(tenantId: "b", name: "k", scopes: [.admin], secret: .generate())
        return Fixture(store: store, clock: clock, directory: directory)
    }

    @Test func anEventGetsOneDeliveryPerEnabledSubscribedEndpointOfItsTenant() async throws {
        let f = try await fixture()
        defer { try? FileManager.default.removeItem(at: f.directory) }
        let all = try await f.store.createEndpoint(tenantId: "a", fields: .init(url: "https://a.example/hook"), secret: Self.secret)
        let waitingOnly = try await f.store.createEndpoint(
            tenantId: "a", fields: .init(url: "https://a.example/w", events: [.waiting]), secret: Self.secret)
        _ = try await f.store.createEndpoint(tenantId: "a", fields: .init(url: "https://a.example/off", enabled: false), secret: Self.secret)
        _ = try await f.store.createEndpoint(tenantId: "b", fields: .init(url: "https://b.example/hook"), secret: Self.secret)

        let completed = try await f.enqueue(.completed, data: ["id": "run-1", "result": ["score": 80]])
        let waiting = try await f.enqueue(.waiting)
        let list = try await f.store.listDeliveries(tenantId: "a", filter: .init(), page: .init(limit: 50)).items
        #expect(Set(list.map { "\($0.eventId) \($0.endpointId)" }) == ["\(completed) \(all.id)", "\(waiting) \(waitingOnly.id)"])
        #expect(list.allSatisfy { $0.status == .pending && $0.nextAttemptAt == f.clock.now && $0.attemptCount == 0 })
        #expect(try await f.store.listDeliveries(tenantId: "b", filter: .init(), page: .init(limit: 50)).items.isEmpty)

        let completedDelivery = try #require(list.first { $0.eventId == completed })
        let detail = try #require(try await f.store.findDelivery(tenantId: "a", id: completedDelivery.id))
        #expect(try JSONText.decode(detail.body) == [
            "type": "workflow.completed", "timestamp": .string(Timestamp.rfc3339(f.clock.now)),
            "data": ["id": "run-1", "result": ["score": 80]],
        ])
        #expect(try await f.store.findDelivery(tenantId: "b", id: detail.delivery.id) == nil)
    }

    @Test func theEventCommitsWithTheCallersTransactionOrNotAtAll() async throws {
        let f = try await fixture()
        defer { try? FileManager.default.removeItem(at: f.directory) }
        _ = try await f.store.createEndpoint(tenantId: "a", fields: .init(url: "https://a.example/hook"), secret: Self.secret)
        struct Abort: Error {}
        let now = f.nowMillis
        await #expect(throws: Abort.self) {
            try await f.store.pool.write { db in
                try SQLiteStore.enqueueEvent(db, tenantId: "a", type: "workflow.failed", data: [:], runId: nil, eventId: "msg_x", now: now)
                throw Abort()
            }
        }
        let counts = try await f.store.pool.read { db in
            [try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM webhook_events"), try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM webhook_deliveries")]
        }
        #expect(counts == [0, 0])
        await #expect(throws: (any Error).self) {
            try await f.store.pool.write { db in
                try SQLiteStore.enqueueEvent(db, tenantId: "a", type: "workflow.exploded", data: [:], runId: nil, eventId: "msg_y", now: now)
            }
        }
    }

    @Test func aBodyOver256KiBLeavesTheResultOut() async throws {
        let big = JSONValue.string(String(repeating: "x", count: 300 * 1024))
        let body = WebhookEventBody.make(type: .completed, timestamp: Date(timeIntervalSince1970: 0), data: ["id": "r", "status": "COMPLETED", "result": ["blob": big]])
        #expect(body.utf8.count <= WebhookEventBody.maxBytes)
        let data = try JSONText.decode(body)["data"]
        #expect(data == ["id": "r", "status": "COMPLETED", "resultTruncated": true])
        let worse = WebhookEventBody.make(type: .failed, timestamp: Date(timeIntervalSince1970: 0), data: ["id": "r", "result": ["blob": big], "error": big])
        #expect(worse.utf8.count <= WebhookEventBody.maxBytes)
        #expect(try JSONText.decode(worse)["data"] == ["id": "r", "resultTruncated": true, "errorTruncated": true])
    }

    @Test func committingADeliveryWakesTheDispatcher() async throws {
        let f = try await fixture()
        defer { try? FileManager.default.removeItem(at: f.directory) }
        #expect(await f.store.outboxSignal.wait(timeout: .milliseconds(10)) == false)
        _ = try await f.enqueue(.completed)  // no endpoint: no delivery, no wake-up
        #expect(await f.store.outboxSignal.wait(timeout: .milliseconds(10)) == false)
        _ = try await f.store.createEndpoint(tenantId: "a", fields: .init(url: "https://a.example/hook"), secret: Self.secret)
        _ = try await f.enqueue(.completed)
        #expect(await f.store.outboxSignal.wait(timeout: .seconds(5)) == true)
    }

    @Test func claimsLeaseDueDeliveriesWithinEachEndpointsLimit() async throws {
        let f = try await fixture()
        defer { try? FileManager.default.removeItem(at: f.directory) }
        let slow = try await f.store.createEndpoint(tenantId: "a", fields: .init(url: "https://slow.example/"), secret: Self.secret)
        let fast = try await f.store.createEndpoint(tenantId: "b", fields: .init(url: "https://fast.example/"), secret: Self.otherSecret)
        for _ in 0..<5 { _ = try await f.enqueue(.completed) }
        for _ in 0..<2 { _ = try await f.enqueue(.completed, tenant: "b") }

        let first = try await f.claim(perEndpoint: 3, inFlight: [slow.id: 1])
        #expect(first.filter { $0.endpointId == slow.id }.count == 2)
        #expect(first.filter { $0.endpointId == fast.id }.count == 2)
        #expect(first.allSatisfy { $0.attempt == 1 && $0.leaseExpiresAt == f.clock.now.addingTimeInterval(60) })
        let claimedFast = try #require(first.first { $0.endpointId == fast.id })
        #expect(claimedFast.secrets == [Self.otherSecret] && claimedFast.url == "https://fast.example/" && claimedFast.tenantId == "b")
        #expect(try await f.claim().count == 3)  // the rest of the slow endpoint's
        #expect(try await f.claim().isEmpty)  // everything is leased
        let global = try await f.fixtureCount("SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'DELIVERING'")
        #expect(global == 7)
    }

    @Test func aBacklogOnABusyEndpointDelaysNoOtherEndpoint() async throws {
        let f = try await fixture()
        defer { try? FileManager.default.removeItem(at: f.directory) }
        let busy = try await f.store.createEndpoint(tenantId: "a", fields: .init(url: "https://busy.example/"), secret: Self.secret)
        let quiet = try await f.store.createEndpoint(tenantId: "a", fields: .init(url: "https://quiet.example/"), secret: Self.secret)
        for _ in 0..<40 {
            _ = try await f.enqueue(.completed)
            f.clock.advance(by: 1)
        }
        func due(_ endpointId: String) async throws -> [String] {
            try await f.store.pool.read { db in
                try String.fetchAll(
                    db, sql: "SELECT id FROM webhook_deliveries WHERE endpoint_id = ? AND status = 'PENDING' ORDER BY next_attempt_at, id",
                    arguments: [endpointId])
            }
        }
        let quietDue = try await due(quiet.id)
        let busyDue = try await due(busy.id)

        // Each event's delivery to the busy endpoint is as old as the quiet one's: the backlog's
        // front is half the busy endpoint's. The claim still takes the quiet endpoint's oldest.
        let first = try await f.claim(perEndpoint: 4, inFlight: [busy.id: 4])
        #expect(Set(first.map(\.id)) == Set(quietDue.prefix(4)))
        // Once the busy endpoint has room, its oldest come first.
        let second = try await f.claim(limit: 5, perEndpoint: 4, inFlight: [busy.id: 2, quiet.id: 4])
        #expect(Set(second.map(\.id)) == Set(busyDue.prefix(2)))
        #expect(try await f.claim(limit: 100, perEndpoint: 100).count == 40 * 2 - 6)
    }

    @Test func anExpiredLeaseIsClaimedAgainForTheSameAttempt() async throws {
        let f = try await fixture()
        defer { try? FileManager.default.removeItem(at: f.directory) }
        _ = try await f.store.createEndpoint(tenantId: "a", fields: .init(url: "https://a.example/"), secret: Self.secret)
        let eventId = try await f.enqueue(.completed)
        let claimed = try #require(try await f.claim(owner: "crashed").first)  // the process dies before recording
        f.clock.advance(by: 59)
        #expect(try await f.claim(owner: "p2").isEmpty)
        f.clock.advance(by: 1)
        let again = try #require(try await f.claim(owner: "p2").first)
        #expect(again.id == claimed.id && again.eventId == eventId && again.attempt == 1)
        // The crashed owner's late report changes nothing; the new owner's counts.
        #expect(try await f.record(claimed, status: 200, .succeeded, owner: "crashed") == nil)
        #expect(try await f.record(again, status: 200, .succeeded, owner: "p2")?.status == .succeeded)
        let detail = try #require(try await f.store.findDelivery(tenantId: "a", id: claimed.id))
        #expect(detail.attempts.map(\.attempt) == [1])
    }

    @Test func anExpiredLeaseOfADisabledEndpointIsNotClaimed() async throws {
        let f = try await fixture()
        defer { try? FileManager.default.removeItem(at: f.directory) }
        let endpoint = try await f.store.createEndpoint(tenantId: "a", fields: .init(url: "https://a.example/"), secret: Self.secret)
        _ = try await f.enqueue(.completed)
        _ = try #require(try await f.claim(owner: "crashed").first)
        // Disabling fails the pending deliveries; the one in flight keeps its lease.
        _ = try await f.store.updateEndpoint(tenantId: "a", id: endpoint.id) { current in
            var fields = current.fields
            fields.enabled = false
            return fields
        }
        f.clock.advance(by: 61)
        #expect(try await f.claim(owner: "p2").isEmpty)
        #expect(try await f.fixtureCount("SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'DELIVERING'") == 1)
    }

    @Test func recordingMovesTheDeliveryAndTracksTheEndpointsFailures() async throws {
        let f = try await fixture()
        defer { try? FileManager.default.removeItem(at: f.directory) }
        let endpoint = try await f.store.createEndpoint(tenantId: "a", fields: .init(url: "https://a.example/"), secret: Self.secret)
        _ = try await f.enqueue(.completed)
        let firstClaim = try #require(try await f.claim().first)
        let failedAt = f.clock.now
        let retry = try await f.record(firstClaim, status: 500, .retry(at: f.clock.now.addingTimeInterval(5)))
        #expect(retry == RecordedAttempt(status: .pending, endpointDisabledReason: nil))
        #expect(try await f.store.findEndpoint(tenantId: "a", id: endpoint.id)?.failingSince == failedAt)
        #expect(try await f.claim().isEmpty)  // not due yet
        f.clock.advance(by: 5)
        let second = try #require(try await f.claim().first)
        #expect(second.attempt == 2)
        #expect(try await f.record(second, status: nil, error: "timeout", .exhausted)?.status == .failed)
        var detail = try #require(try await f.store.findDelivery(tenantId: "a", id: second.id))
        #expect(detail.delivery.status == .failed && detail.delivery.attemptCount == 2 && detail.delivery.lastError == "timeout")
        #expect(detail.attempts.map(\.responseStatus) == [500, nil])
        #expect(try await f.store.findEndpoint(tenantId: "a", id: endpoint.id)?.failingSince == failedAt)

        // A success clears the failing streak.
        let redelivered = try #require(try await f.store.redeliver(tenantId: "a", id: second.id))
        #expect(redelivered.id != second.id && redelivered.eventId == second.eventId && redelivered.status == .pending)
        let third = try #require(try await f.claim().first)
        #expect(third.id == redelivered.id && third.attempt == 1)
        #expect(try await f.record(third, status: 204, .succeeded)?.status == .succeeded)
        #expect(try await f.store.findEndpoint(tenantId: "a", id: endpoint.id)?.failingSince == nil)
        detail = try #require(try await f.store.findDelivery(tenantId: "a", id: third.id))
        #expect(detail.delivery.lastError == nil && detail.attempts.count == 1)
    }

    @Test func goneDisablesTheEndpointAndFailsItsPendingDeliveries() async throws {
        let f = try await fixture()
        defer { try? FileManager.default.removeItem(at: f.directory) }
        let endpoint = try await f.store.createEndpoint(tenantId: "a", fields: .init(url: "https://a.example/"), secret: Self.secret)
        _ = try await f.enqueue(.completed)
        let claimed = try #require(try await f.claim().first)
        _ = try await f.enqueue(.failed)  // pending behind it
        let recorded = try await f.record(claimed, status: 410, .gone)
        #expect(recorded?.status == .failed)
        #expect(recorded?.endpointDisabledReason?.contains("410") == true)
        let stored = try #require(try await f.store.findEndpoint(tenantId: "a", id: endpoint.id))
        #expect(!stored.fields.enabled && stored.disabledReason?.contains("410") == true)
        let statuses = try await f.store.listDeliveries(tenantId: "a", filter: .init(), page: .init(limit: 10)).items.map(\.status)
        #expect(statuses == [.failed, .failed])
        _ = try await f.enqueue(.completed)  // a disabled endpoint gets no new deliveries
        #expect(try await f.store.listDeliveries(tenantId: "a", filter: .init(), page: .init(limit: 10)).items.count == 2)
        await #expect(throws: StoreError.self) { try await f.store.redeliver(tenantId: "a", id: claimed.id) }

        // Enabling again clears the reason; a redelivery of what failed since then goes out.
        let enabled = try await f.store.updateEndpoint(tenantId: "a", id: endpoint.id) { current in
            var fields = current.fields
            fields.enabled = true
            return fields
        }
        #expect(enabled?.fields.enabled == true && enabled?.disabledReason == nil)
        let again = try #require(try await f.store.redeliver(tenantId: "a", endpointId: endpoint.id, since: f.clock.now.addingTimeInterval(-60)))
        #expect(again.count == 2)
        #expect(try await f.store.redeliver(tenantId: "a", endpointId: endpoint.id, since: .distantPast)?.isEmpty == true)
        #expect(try await f.store.redeliver(tenantId: "b", endpointId: endpoint.id, since: .distantPast) == nil)
    }

    @Test func anEndpointFailingForTheConfiguredPeriodIsDisabled() async throws {
        let f = try await fixture()
        defer { try? FileManager.default.removeItem(at: f.directory) }
        let endpoint = try await f.store.createEndpoint(tenantId: "a", fields: .init(url: "https://a.example/"), secret: Self.secret)
        _ = try await f.enqueue(.completed)
        let first = try #require(try await f.claim().first)
        #expect(try await f.record(first, status: 503, .retry(at: f.clock.now), disableAfter: 3600)?.endpointDisabledReason == nil)
        f.clock.advance(by: 3600)
        let second = try #require(try await f.claim().first)
        let recorded = try await f.record(second, status: 503, .retry(at: f.clock.now.addingTimeInterval(60)), disableAfter: 3600)
        #expect(recorded?.status == .failed)
        #expect(recorded?.endpointDisabledReason?.hasPrefix("failing without a successful delivery since") == true)
        #expect(try await f.store.findEndpoint(tenantId: "a", id: endpoint.id)?.fields.enabled == false)
    }

    @Test func rotationKeepsTheOldSecretSigningDuringTheGrace() async throws {
        let f = try await fixture()
        defer { try? FileManager.default.removeItem(at: f.directory) }
        let endpoint = try await f.store.createEndpoint(tenantId: "a", fields: .init(url: "https://a.example/"), secret: Self.secret)
        let rotated = try #require(try await f.store.rotateSecret(tenantId: "a", id: endpoint.id, newSecret: Self.otherSecret, grace: .seconds(100)))
        #expect(rotated.activeSecrets(at: f.clock.now) == [Self.otherSecret, Self.secret])
        #expect(rotated.activeSecrets(at: f.clock.now.addingTimeInterval(100)) == [Self.otherSecret])
        _ = try await f.enqueue(.completed)
        #expect(try await f.claim().first?.secrets == [Self.otherSecret, Self.secret])
        let immediate = try #require(try await f.store.rotateSecret(tenantId: "a", id: endpoint.id, newSecret: Self.secret, grace: .zero))
        #expect(immediate.previousSecret == nil && immediate.activeSecrets(at: f.clock.now) == [Self.secret])
        #expect(try await f.store.rotateSecret(tenantId: "b", id: endpoint.id, newSecret: Self.secret, grace: .zero) == nil)
    }

    @Test func endpointsAreScopedByTenantAndDeletingTakesTheirDeliveries() async throws {
        let f = try await fixture()
        defer { try? FileManager.default.removeItem(at: f.directory) }
        let endpoint = try await f.store.createEndpoint(
            tenantId: "a", fields: .init(url: "https://a.example/", description: "crm", events: [.failed, .completed]), secret: Self.secret)
        #expect(endpoint.fields.events == [.failed, .completed] && endpoint.fields.description == "crm")
        #expect(try await f.store.findEndpoint(tenantId: "b", id: endpoint.id) == nil)
        #expect(try await f.store.listEndpoints(tenantId: "b", page: .init(limit: 10)).items.isEmpty)
        #expect(try await f.store.updateEndpoint(tenantId: "b", id: endpoint.id) { $0.fields } == nil)
        #expect(try await f.store.deleteEndpoint(tenantId: "b", id: endpoint.id) == false)
        _ = try await f.enqueue(.completed)
        #expect(try await f.store.deleteEndpoint(tenantId: "a", id: endpoint.id) == true)
        #expect(try await f.fixtureCount("SELECT COUNT(*) FROM webhook_deliveries") == 0)
        #expect(try await f.fixtureCount("SELECT COUNT(*) FROM webhook_events") == 1)
    }

    @Test func theSchemaRefusesImpossibleDeliveries() async throws {
        let f = try await fixture()
        defer { try? FileManager.default.removeItem(at: f.directory) }
        let endpoint = try await f.store.createEndpoint(tenantId: "a", fields: .init(url: "https://a.example/"), secret: Self.secret)
        let eventId = try await f.enqueue(.completed)
        let statements = [
            // Pending without a due time; delivering without a lease; another tenant's endpoint.
            "INSERT INTO webhook_deliveries (id, tenant_id, event_id, endpoint_id, status, created_at, updated_at) VALUES ('d1', 'a', '\(eventId)', '\(endpoint.id)', 'PENDING', 0, 0)",
            "INSERT INTO webhook_deliveries (id, tenant_id, event_id, endpoint_id, status, created_at, updated_at) VALUES ('d2', 'a', '\(eventId)', '\(endpoint.id)', 'DELIVERING', 0, 0)",
            "INSERT INTO webhook_deliveries (id, tenant_id, event_id, endpoint_id, status, created_at, updated_at) VALUES ('d3', 'b', '\(eventId)', '\(endpoint.id)', 'FAILED', 0, 0)",
            // A second active delivery of the same event to the same endpoint.
            "INSERT INTO webhook_deliveries (id, tenant_id, event_id, endpoint_id, status, next_attempt_at, created_at, updated_at) VALUES ('d4', 'a', '\(eventId)', '\(endpoint.id)', 'PENDING', 0, 0, 0)",
            "UPDATE webhook_endpoints SET url = 'ftp://x.example/'",
            "UPDATE webhook_endpoints SET disabled_reason = 'x'",
        ]
        for sql in statements {
            await #expect(throws: DatabaseError.self, "\(sql)") { try await f.store.pool.write { db in try db.execute(sql: sql) } }
        }
    }
}

extension WebhookStoreTests {
    @Test func theSchemaAdmitsCustomEventTypesAndNoOtherNames() async throws {
        let f = try await fixture()
        defer { try? FileManager.default.removeItem(at: f.directory) }
        let custom = try #require(WebhookEventType(rawValue: "kyc.document_requested"))
        let endpoint = try await f.store.createEndpoint(tenantId: "a", fields: .init(url: "https://a.example/", events: [custom]), secret: Self.secret)
        _ = try await f.enqueue(custom)
        #expect(try await f.fixtureCount("SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = '\(endpoint.id)'") == 1)
        for type in ["workflow.custom", "Kyc", "9x", "a b", "", String(repeating: "a", count: 129)] {
            let sql = "INSERT INTO webhook_events (id, tenant_id, type, body, created_at) VALUES ('e-\(type.count)', 'a', '\(type)', '{}', 0)"
            await #expect(throws: DatabaseError.self, "\(type)") { try await f.store.pool.write { db in try db.execute(sql: sql) } }
        }
    }

    /// v13 rebuilds `webhook_events`: the events and deliveries written before it are all kept,
    /// still linked.
    @Test func theMigrationToCustomEventTypesKeepsEveryEventAndDelivery() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("caseworker-v13-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("db.sqlite").path
        let queue = try DatabaseQueue(path: path)
        try Migrations.migrator.migrate(queue, upTo: "v12-leased-claims-executor-failures")
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO tenants (id, created_at) VALUES ('a', 0);
                    INSERT INTO webhook_endpoints (id, tenant_id, url, events, secret, created_at, updated_at)
                        VALUES ('ep', 'a', 'https://a.example/', '["workflow.completed"]', '\(Self.secret)', 0, 0);
                    INSERT INTO webhook_events (id, tenant_id, type, body, run_id, created_at)
                        VALUES ('msg_1', 'a', 'workflow.completed', '{"type":"workflow.completed"}', 'run-1', 5);
                    INSERT INTO webhook_deliveries (id, tenant_id, event_id, endpoint_id, status, next_attempt_at, created_at, updated_at)
                        VALUES ('d1', 'a', 'msg_1', 'ep', 'PENDING', 5, 5, 5);
                    """)
        }
        try queue.close()

        let store = try SQLiteStore(options: .init(path: path))
        try store.migrate()
        #expect(try store.pendingMigrations().isEmpty)
        let rows = try await store.pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT e.id, e.type, e.run_id, d.id AS delivery FROM webhook_events e JOIN webhook_deliveries d ON d.event_id = e.id")
        }
        #expect(rows.count == 1)
        #expect(rows.first?["id"] == "msg_1")
        #expect(rows.first?["run_id"] == "run-1")
        #expect(rows.first?["delivery"] == "d1")
        let violations = try await store.pool.read { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") }
        #expect(violations.isEmpty)
    }
}

extension WebhookStoreTests.Fixture {
    func fixtureCount(_ sql: String) async throws -> Int {
        try await store.pool.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
    }
}
