import CaseworkerCore
import CaseworkerStore
import Foundation
import GRDB

extension SQLiteStore: DeliveryStore {
    public func claimDueDeliveries(
        limit: Int, perEndpointLimit: Int, inFlight: [String: Int], leaseOwner: String, leaseDuration: Duration, now: Date
    ) async throws -> [ClaimedDelivery] {
        guard limit > 0, perEndpointLimit > 0 else { return [] }
        let nowMillis = Timestamp.millis(now)
        let leaseExpires = nowMillis + leaseDuration.wholeMilliseconds
        return try await write("claimDueDeliveries") { db in
            let ids = try Self.dueDeliveries(db, limit: limit, perEndpointLimit: perEndpointLimit, inFlight: inFlight, now: nowMillis)
            for id in ids {
                try db.execute(
                    cached: """
                        UPDATE webhook_deliveries
                        SET status = 'DELIVERING', next_attempt_at = NULL, lease_owner = ?, lease_expires_at = ?, updated_at = ?
                        WHERE id = ?
                        """,
                    arguments: [leaseOwner, leaseExpires, nowMillis, id])
            }
            guard !ids.isEmpty else { return [] }
            let rows = try Row.fetchAll(
                db,
                cached: """
                    SELECT d.id, d.tenant_id, d.event_id, d.endpoint_id, d.attempt_count, d.lease_expires_at,
                        ev.type, ev.body, en.url, en.secret, en.previous_secret, en.previous_secret_expires_at
                    FROM webhook_deliveries d
                    JOIN webhook_events ev ON ev.tenant_id = d.tenant_id AND ev.id = d.event_id
                    JOIN webhook_endpoints en ON en.tenant_id = d.tenant_id AND en.id = d.endpoint_id
                    WHERE d.id IN (SELECT value FROM json_each(?))
                    ORDER BY d.id
                    """,
                arguments: [JSONText.encode(.array(ids.map(JSONValue.string)))])
            return rows.map { row in
                var secrets: [String] = [row["secret"]]
                if let previous: String = row["previous_secret"], let expires: Int64 = row["previous_secret_expires_at"],
                    expires > nowMillis
                {
                    secrets.append(previous)
                }
                return ClaimedDelivery(
                    id: row["id"], tenantId: row["tenant_id"], eventId: row["event_id"],
                    eventType: WebhookEventType(rawValue: row["type"]) ?? .completed, body: row["body"],
                    endpointId: row["endpoint_id"], url: row["url"], secrets: secrets,
                    attempt: (row["attempt_count"] as Int) + 1, leaseExpiresAt: Timestamp.date(millis: row["lease_expires_at"]))
            }
        }
    }

    public func releaseAbandonedLeases(now: Date) async throws -> Int {
        let nowMillis = Timestamp.millis(now)
        return try await write("releaseAbandonedLeases") { db in
            try db.execute(
                cached: """
                    UPDATE webhook_deliveries SET status = 'PENDING', next_attempt_at = ?1, lease_owner = NULL, lease_expires_at = NULL,
                        updated_at = ?1
                    WHERE status = 'DELIVERING'
                    """,
                arguments: [nowMillis])
            return db.changesCount
        }
    }

    public func recordAttempt(
        deliveryId: String, leaseOwner: String, attempt: DeliveryAttempt, resolution: DeliveryResolution,
        shouldDisableEndpoint: @escaping @Sendable (_ failingSince: Date) -> Bool
    ) async throws -> RecordedAttempt? {
        let now = nowMillis
        let at = Timestamp.millis(attempt.at)
        return try await write("recordDeliveryAttempt") { db -> RecordedAttempt? in
            guard
                let delivery = try Row.fetchOne(
                    db,
                    cached: """
                        SELECT tenant_id, endpoint_id, attempt_count FROM webhook_deliveries
                        WHERE id = ? AND status = 'DELIVERING' AND lease_owner = ?
                        """,
                    arguments: [deliveryId, leaseOwner]),
                (delivery["attempt_count"] as Int) + 1 == attempt.attempt
            else { return nil }
            let tenantId: String = delivery["tenant_id"]
            let endpointId: String = delivery["endpoint_id"]
            guard
                let endpoint = try Row.fetchOne(
                    db, cached: "SELECT enabled, failing_since FROM webhook_endpoints WHERE tenant_id = ? AND id = ?",
                    arguments: [tenantId, endpointId])
            else { return nil }
            try db.execute(
                cached: """
                    INSERT INTO webhook_delivery_attempts (delivery_id, attempt, at, response_status, duration_ms, response_body, error)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    deliveryId, attempt.attempt, at, attempt.responseStatus, max(0, attempt.durationMs), attempt.storedResponseBody,
                    attempt.error,
                ])
            let outcome = DeliveryAttemptOutcome(
                attempt: attempt, resolution: resolution, endpointEnabled: endpoint["enabled"], failingSince: endpoint["failing_since"],
                shouldDisableEndpoint: shouldDisableEndpoint)
            try db.execute(
                cached: "UPDATE webhook_endpoints SET failing_since = ? WHERE tenant_id = ? AND id = ?",
                arguments: [outcome.failingSince, tenantId, endpointId])
            try db.execute(
                cached: """
                    UPDATE webhook_deliveries SET status = ?, attempt_count = ?, next_attempt_at = ?, lease_owner = NULL,
                        lease_expires_at = NULL, last_error = ?, updated_at = ?
                    WHERE id = ?
                    """,
                arguments: [outcome.status.rawValue, attempt.attempt, outcome.nextAttemptAt, outcome.lastError, now, deliveryId])
            if let disableReason = outcome.disablesEndpoint {
                // Fails the endpoint's pending deliveries, this one included when it was to be retried.
                try Self.disableEndpoint(db, tenantId: tenantId, id: endpointId, reason: disableReason, now: now)
                let final = try String.fetchOne(db, cached: "SELECT status FROM webhook_deliveries WHERE id = ?", arguments: [deliveryId])
                return RecordedAttempt(status: final.flatMap(DeliveryStatus.init) ?? outcome.status, endpointDisabledReason: disableReason)
            }
            return RecordedAttempt(status: outcome.status, endpointDisabledReason: nil)
        }
    }

    public func listDeliveries(tenantId: String?, filter: DeliveryFilter, page: PageRequest) async throws -> Page<WebhookDelivery> {
        // Read through `webhook_deliveries_endpoint` or a `webhook_deliveries_failed` index when
        // those filters are given; the status is written in for the partial indexes.
        var conditions = ListConditions()
        conditions.add("d.tenant_id = ?", tenantId)
        conditions.add("d.endpoint_id = ?", filter.endpointId)
        conditions.add(literal: filter.status.map { "d.status = '\($0.rawValue)'" })
        conditions.add("ev.type = ?", filter.eventType?.rawValue)
        conditions.add("d.id < ?", page.beforeId)
        let sql = """
            SELECT d.*, ev.type AS event_type FROM webhook_deliveries d
            JOIN webhook_events ev ON ev.tenant_id = d.tenant_id AND ev.id = d.event_id
            \(conditions.sql) ORDER BY d.id DESC LIMIT ?
            """
        let arguments = StatementArguments(conditions.values + [(page.limit + 1).databaseValue])
        return try await pool.read { db in
            let rows = try Row.fetchAll(db, cached: sql, arguments: arguments)
            return Page(items: rows.prefix(page.limit).map(WebhookDelivery.init(row:)), hasMore: rows.count > page.limit)
        }
    }

    public func findDelivery(tenantId: String?, id: String) async throws -> WebhookDeliveryDetail? {
        try await pool.read { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    cached: """
                        SELECT d.*, ev.type AS event_type, ev.body FROM webhook_deliveries d
                        JOIN webhook_events ev ON ev.tenant_id = d.tenant_id AND ev.id = d.event_id
                        WHERE d.id = ?1 AND (?2 IS NULL OR d.tenant_id = ?2)
                        """,
                    arguments: [id, tenantId])
            else { return nil }
            let attempts = try Row.fetchAll(
                db, cached: "SELECT * FROM webhook_delivery_attempts WHERE delivery_id = ? ORDER BY attempt", arguments: [id]
            ).map { attempt in
                DeliveryAttempt(
                    attempt: attempt["attempt"], at: Timestamp.date(millis: attempt["at"]), responseStatus: attempt["response_status"],
                    durationMs: attempt["duration_ms"], responseBody: attempt["response_body"], error: attempt["error"])
            }
            return WebhookDeliveryDetail(delivery: WebhookDelivery(row: row), body: row["body"], attempts: attempts)
        }
    }

    public func redeliver(tenantId: String?, id: String) async throws -> WebhookDelivery? {
        let now = nowMillis
        return try await write("redeliverDelivery") { db -> WebhookDelivery? in
            guard
                let row = try Row.fetchOne(
                    db, cached: "SELECT tenant_id, event_id, endpoint_id FROM webhook_deliveries WHERE id = ?1 AND (?2 IS NULL OR tenant_id = ?2)",
                    arguments: [id, tenantId])
            else { return nil }
            let tenant: String = row["tenant_id"]
            let endpointId: String = row["endpoint_id"]
            try Self.requireEnabled(db, tenantId: tenant, endpointId: endpointId)
            let eventId: String = row["event_id"]
            if let active = try String.fetchOne(
                db,
                cached: """
                    SELECT id FROM webhook_deliveries
                    WHERE tenant_id = ? AND event_id = ? AND endpoint_id = ? AND status IN ('PENDING', 'DELIVERING')
                    """,
                arguments: [tenant, eventId, endpointId])
            {
                throw StoreError.conflict("event \(eventId) is already on its way to endpoint \(endpointId) (delivery \(active))")
            }
            let newId = try Self.insertDelivery(db, tenantId: tenant, eventId: eventId, endpointId: endpointId, now: now)
            return try Self.fetchDelivery(db, id: newId)
        }
    }

    public func redeliver(tenantId: String?, endpointId: String, since: Date) async throws -> [WebhookDelivery]? {
        let now = nowMillis
        let sinceMillis = Timestamp.millis(since)
        return try await write("redeliverEndpoint") { db -> [WebhookDelivery]? in
            guard
                let tenant = try String.fetchOne(
                    db, cached: "SELECT tenant_id FROM webhook_endpoints WHERE id = ?1 AND (?2 IS NULL OR tenant_id = ?2)",
                    arguments: [endpointId, tenantId])
            else { return nil }
            try Self.requireEnabled(db, tenantId: tenant, endpointId: endpointId)
            // Events of `since` or later whose latest delivery to this endpoint failed.
            let eventIds = try String.fetchAll(
                db,
                cached: """
                    SELECT d.event_id FROM webhook_deliveries d
                    JOIN webhook_events ev ON ev.tenant_id = d.tenant_id AND ev.id = d.event_id
                    WHERE d.tenant_id = ?1 AND d.endpoint_id = ?2 AND ev.created_at >= ?3 AND d.status = 'FAILED'
                        AND d.id = (SELECT MAX(latest.id) FROM webhook_deliveries latest
                                    WHERE latest.tenant_id = ?1 AND latest.event_id = d.event_id AND latest.endpoint_id = ?2)
                    ORDER BY ev.created_at, d.event_id
                    """,
                arguments: [tenant, endpointId, sinceMillis])
            return try eventIds.map { eventId in
                let newId = try Self.insertDelivery(db, tenantId: tenant, eventId: eventId, endpointId: endpointId, now: now)
                return try Self.fetchDelivery(db, id: newId)!
            }
        }
    }

    // MARK: - Inside transactions

    private static func requireEnabled(_ db: Database, tenantId: String, endpointId: String) throws {
        let enabled = try Bool.fetchOne(
            db, cached: "SELECT enabled FROM webhook_endpoints WHERE tenant_id = ? AND id = ?", arguments: [tenantId, endpointId])
        guard enabled == true else {
            throw StoreError.conflict("webhook endpoint \(endpointId) is disabled; enable it before redelivering")
        }
    }

    static func fetchDelivery(_ db: Database, id: String) throws -> WebhookDelivery? {
        try Row.fetchOne(
            db,
            cached: """
                SELECT d.*, ev.type AS event_type FROM webhook_deliveries d
                JOIN webhook_events ev ON ev.tenant_id = d.tenant_id AND ev.id = d.event_id
                WHERE d.id = ?
                """,
            arguments: [id],
            as: WebhookDelivery.init(row:))
    }
}

extension WebhookDelivery {
    init(row: Row) {
        self.init(
            id: row["id"], tenantId: row["tenant_id"], eventId: row["event_id"],
            eventType: WebhookEventType(rawValue: row["event_type"]) ?? .completed, endpointId: row["endpoint_id"],
            status: DeliveryStatus(rawValue: row["status"]) ?? .pending, attemptCount: row["attempt_count"],
            nextAttemptAt: (row["next_attempt_at"] as Int64?).map(Timestamp.date(millis:)), lastError: row["last_error"],
            createdAt: Timestamp.date(millis: row["created_at"]), updatedAt: Timestamp.date(millis: row["updated_at"]))
    }
}
