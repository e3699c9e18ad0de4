import CaseworkerCore
import CaseworkerStore
import Foundation
import PostgresNIO

extension PostgresStore: DeliveryStore {
    /// One statement (`claimStatement`), safe for the dispatchers of several instances at once.
    public func claimDueDeliveries(
        limit: Int, perEndpointLimit: Int, inFlight: [String: Int], leaseOwner: String, leaseDuration: Duration, now: Date
    ) async throws -> [ClaimedDelivery] {
        guard limit > 0, perEndpointLimit > 0 else { return [] }
        let nowMillis = Timestamp.millis(now)
        let statement = Self.claimStatement(
            limit: limit, perEndpointLimit: perEndpointLimit, inFlight: inFlight, owner: leaseOwner,
            leaseExpires: nowMillis + leaseDuration.wholeMilliseconds, now: nowMillis)
        return try await write("claimDueDeliveries") { tx in
            try await tx.rows(statement).map { row in
                var secrets = [try row["secret"].decode(String.self)]
                if let previous = try row["previous_secret"].decode(String?.self),
                    let expires = try row["previous_secret_expires_at"].decode(Int64?.self), expires > nowMillis
                {
                    secrets.append(previous)
                }
                return ClaimedDelivery(
                    id: try row["id"].decode(String.self), tenantId: try row["tenant_id"].decode(String.self),
                    eventId: try row["event_id"].decode(String.self),
                    eventType: WebhookEventType(rawValue: try row["type"].decode(String.self)) ?? .completed,
                    body: try row["body"].decode(String.self), endpointId: try row["endpoint_id"].decode(String.self),
                    url: try row["url"].decode(String.self), secrets: secrets, attempt: try row["attempt_count"].decode(Int.self) + 1,
                    leaseExpiresAt: Timestamp.date(millis: try row["lease_expires_at"].decode(Int64.self)))
            }
        }
    }

    /// Frees every lease, live or not: on a database shared by several instances, the other
    /// instances' attempts in flight are sent again (at least once still holds, and their
    /// `recordAttempt` then answers `nil`). The contract keeps it to a store served by one
    /// dispatcher at a time; a shared store's dispatchers rely on lease expiry instead.
    public func releaseAbandonedLeases(now: Date) async throws -> Int {
        let nowMillis = Timestamp.millis(now)
        return try await write("releaseAbandonedLeases") { tx in
            try await tx.rows(
                """
                UPDATE webhook_deliveries SET status = 'PENDING', next_attempt_at = \(nowMillis), lease_owner = NULL,
                    lease_expires_at = NULL, updated_at = \(nowMillis)
                WHERE status = 'DELIVERING'
                RETURNING id
                """
            ).count
        }
    }

    /// The delivery is read `FOR UPDATE` only while `leaseOwner` holds its lease for this
    /// attempt, so an expired lease another claim took (it rewrote `lease_owner`) records nothing,
    /// and a claim cannot take the delivery while the attempt is recorded. The endpoint is read
    /// `FOR NO KEY UPDATE`: its `failing_since` and the decision to disable it are made by one
    /// attempt at a time, whichever instance recorded the others.
    public func recordAttempt(
        deliveryId: String, leaseOwner: String, attempt: DeliveryAttempt, resolution: DeliveryResolution,
        shouldDisableEndpoint: @escaping @Sendable (_ failingSince: Date) -> Bool
    ) async throws -> RecordedAttempt? {
        let now = nowMillis
        let at = Timestamp.millis(attempt.at)
        return try await write("recordDeliveryAttempt") { tx -> RecordedAttempt? in
            guard
                let delivery = try await tx.row(
                    """
                    SELECT tenant_id, endpoint_id, attempt_count FROM webhook_deliveries
                    WHERE id = \(deliveryId) AND status = 'DELIVERING' AND lease_owner = \(leaseOwner)
                    FOR UPDATE
                    """),
                try delivery["attempt_count"].decode(Int.self) + 1 == attempt.attempt
            else { return nil }
            let tenantId = try delivery["tenant_id"].decode(String.self)
            let endpointId = try delivery["endpoint_id"].decode(String.self)
            guard
                let endpoint = try await tx.row(
                    """
                    SELECT enabled, failing_since FROM webhook_endpoints WHERE tenant_id = \(tenantId) AND id = \(endpointId)
                    FOR NO KEY UPDATE
                    """)
            else { return nil }
            try await tx.execute(
                """
                INSERT INTO webhook_delivery_attempts (delivery_id, attempt, at, response_status, duration_ms, response_body, error)
                VALUES (\(deliveryId), \(attempt.attempt), \(at), \(attempt.responseStatus), \(max(0, attempt.durationMs)),
                    \(attempt.storedResponseBody), \(attempt.error))
                """)
            let failingSince = try endpoint["failing_since"].decode(Int64?.self)
            let outcome = DeliveryAttemptOutcome(
                attempt: attempt, resolution: resolution, endpointEnabled: try endpoint["enabled"].decode(Bool.self),
                failingSince: failingSince, shouldDisableEndpoint: shouldDisableEndpoint)
            if outcome.failingSince != failingSince {
                try await tx.execute(
                    "UPDATE webhook_endpoints SET failing_since = \(outcome.failingSince) WHERE tenant_id = \(tenantId) AND id = \(endpointId)")
            }
            try await tx.execute(
                """
                UPDATE webhook_deliveries SET status = \(outcome.status.rawValue), attempt_count = \(attempt.attempt),
                    next_attempt_at = \(outcome.nextAttemptAt), lease_owner = NULL, lease_expires_at = NULL,
                    last_error = \(outcome.lastError), updated_at = \(now)
                WHERE id = \(deliveryId)
                """)
            if let disableReason = outcome.disablesEndpoint {
                // Fails the endpoint's pending deliveries, this one included when it was to be retried.
                try await Self.disableEndpoint(in: tx, tenantId: tenantId, id: endpointId, reason: disableReason, now: now)
                let final = try await tx.row("SELECT status FROM webhook_deliveries WHERE id = \(deliveryId)")
                let status = try final.flatMap { DeliveryStatus(rawValue: try $0["status"].decode(String.self)) }
                return RecordedAttempt(status: status ?? outcome.status, endpointDisabledReason: disableReason)
            }
            return RecordedAttempt(status: outcome.status, endpointDisabledReason: nil)
        }
    }

    /// One statement; a filter not given is folded away when the statement is planned with its
    /// values (PostgresNIO's unnamed statements are), so the given ones are read from their
    /// indexes (`webhook_deliveries_endpoint`, the `webhook_deliveries_failed` ones).
    public func listDeliveries(tenantId: String?, filter: DeliveryFilter, page: PageRequest) async throws -> Page<WebhookDelivery> {
        let status = filter.status?.rawValue
        let eventType = filter.eventType?.rawValue
        let rows = try await rows(
            """
            SELECT d.*, ev.type AS event_type FROM webhook_deliveries d
            JOIN webhook_events ev ON ev.tenant_id = d.tenant_id AND ev.id = d.event_id
            WHERE (\(tenantId)::text IS NULL OR d.tenant_id = \(tenantId))
                AND (\(filter.endpointId)::text IS NULL OR d.endpoint_id = \(filter.endpointId))
                AND (\(status)::text IS NULL OR d.status = \(status))
                AND (\(eventType)::text IS NULL OR ev.type = \(eventType))
                AND (\(page.beforeId)::text IS NULL OR d.id < \(page.beforeId))
            ORDER BY d.id DESC LIMIT \(page.limit + 1)
            """)
        return Page(items: try rows.prefix(page.limit).map(WebhookDelivery.init(row:)), hasMore: rows.count > page.limit)
    }

    /// The delivery and its attempts, read in one snapshot.
    public func findDelivery(tenantId: String?, id: String) async throws -> WebhookDeliveryDetail? {
        try await snapshot { tx in
            guard
                let row = try await tx.row(
                    """
                    SELECT d.*, ev.type AS event_type, ev.body FROM webhook_deliveries d
                    JOIN webhook_events ev ON ev.tenant_id = d.tenant_id AND ev.id = d.event_id
                    WHERE d.id = \(id) AND (\(tenantId)::text IS NULL OR d.tenant_id = \(tenantId))
                    """)
            else { return nil }
            let attempts = try await tx.rows("SELECT * FROM webhook_delivery_attempts WHERE delivery_id = \(id) ORDER BY attempt")
                .map(DeliveryAttempt.init(row:))
            return WebhookDeliveryDetail(delivery: try WebhookDelivery(row: row), body: try row["body"].decode(String.self), attempts: attempts)
        }
    }

    /// The endpoint is read `FOR SHARE` (it cannot be disabled before this commits), and a
    /// concurrent redelivery of the same event to it is refused by `webhook_deliveries_one_active`.
    public func redeliver(tenantId: String?, id: String) async throws -> WebhookDelivery? {
        let now = nowMillis
        return try await write("redeliverDelivery") { tx -> WebhookDelivery? in
            guard
                let row = try await tx.row(
                    """
                    SELECT tenant_id, event_id, endpoint_id FROM webhook_deliveries
                    WHERE id = \(id) AND (\(tenantId)::text IS NULL OR tenant_id = \(tenantId))
                    """)
            else { return nil }
            let tenant = try row["tenant_id"].decode(String.self)
            let endpointId = try row["endpoint_id"].decode(String.self)
            let eventId = try row["event_id"].decode(String.self)
            try await Self.requireEnabled(tx, tenantId: tenant, endpointId: endpointId)
            if let active = try await tx.row(
                """
                SELECT id FROM webhook_deliveries
                WHERE tenant_id = \(tenant) AND event_id = \(eventId) AND endpoint_id = \(endpointId) AND status IN ('PENDING', 'DELIVERING')
                """)
            {
                throw StoreError.conflict(
                    "event \(eventId) is already on its way to endpoint \(endpointId) (delivery \(try active["id"].decode(String.self)))")
            }
            let ids = try await Self.insertDeliveries(tenantId: tenant, targets: [(eventId, endpointId)], in: tx, now: now)
            return try await Self.fetchDeliveries(tx, ids: ids).first
        }
    }

    /// As `redeliver(tenantId:id:)`, for every event of the endpoint whose latest delivery failed.
    public func redeliver(tenantId: String?, endpointId: String, since: Date) async throws -> [WebhookDelivery]? {
        let now = nowMillis
        let sinceMillis = Timestamp.millis(since)
        return try await write("redeliverEndpoint") { tx -> [WebhookDelivery]? in
            guard
                let row = try await tx.row(
                    "SELECT tenant_id FROM webhook_endpoints WHERE id = \(endpointId) AND (\(tenantId)::text IS NULL OR tenant_id = \(tenantId))")
            else { return nil }
            let tenant = try row["tenant_id"].decode(String.self)
            try await Self.requireEnabled(tx, tenantId: tenant, endpointId: endpointId)
            // Events of `since` or later whose latest delivery to this endpoint failed.
            let eventIds = try await tx.rows(
                """
                SELECT d.event_id FROM webhook_deliveries d
                JOIN webhook_events ev ON ev.tenant_id = d.tenant_id AND ev.id = d.event_id
                WHERE d.tenant_id = \(tenant) AND d.endpoint_id = \(endpointId) AND ev.created_at >= \(sinceMillis) AND d.status = 'FAILED'
                    AND d.id = (SELECT MAX(latest.id) FROM webhook_deliveries latest
                                WHERE latest.tenant_id = \(tenant) AND latest.event_id = d.event_id AND latest.endpoint_id = \(endpointId))
                ORDER BY ev.created_at, d.event_id
                """
            ).map { try $0["event_id"].decode(String.self) }
            let ids = try await Self.insertDeliveries(
                tenantId: tenant, targets: eventIds.map { (eventId: $0, endpointId: endpointId) }, in: tx, now: now)
            return try await Self.fetchDeliveries(tx, ids: ids)
        }
    }

    // MARK: - Inside transactions

    /// Throws `StoreError.conflict` unless the endpoint is enabled; locks it `FOR SHARE` until
    /// the commit, so that it is not disabled while deliveries are added to it.
    private static func requireEnabled(_ tx: PostgresTransaction, tenantId: String, endpointId: String) async throws {
        let row = try await tx.row("SELECT enabled FROM webhook_endpoints WHERE tenant_id = \(tenantId) AND id = \(endpointId) FOR SHARE")
        guard try row?["enabled"].decode(Bool.self) == true else {
            throw StoreError.conflict("webhook endpoint \(endpointId) is disabled; enable it before redelivering")
        }
    }

    /// The deliveries `ids`, in id order.
    private static func fetchDeliveries(_ tx: PostgresTransaction, ids: [String]) async throws -> [WebhookDelivery] {
        try await tx.rows(
            """
            SELECT d.*, ev.type AS event_type FROM webhook_deliveries d
            JOIN webhook_events ev ON ev.tenant_id = d.tenant_id AND ev.id = d.event_id
            WHERE d.id = ANY(\(ids)) ORDER BY d.id
            """
        ).map(WebhookDelivery.init(row:))
    }
}
