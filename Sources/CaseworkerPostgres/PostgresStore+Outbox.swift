import CaseworkerCore
import CaseworkerStore
import Foundation
import PostgresNIO

extension PostgresStore {
    /// Writes a webhook event and its deliveries: the outbox write the engine makes INSIDE the
    /// transaction of the state change that causes the event (`PostgresRunTransaction`), so that
    /// both commit or neither does (no committed terminal run without its event; no event for a
    /// rolled-back one).
    ///
    /// - The body is stored exactly as it will be sent and signed (`OutboxEvent.body`).
    /// - One `PENDING` delivery, due at `now`, is inserted per ENABLED endpoint of the tenant that
    ///   subscribes to the event's type and to the run's definition (`event.definitionId`; an
    ///   endpoint without `workflow_definition_ids` subscribes to every definition). A tenant
    ///   without such endpoints still gets the event row.
    /// - The subscribed endpoints are read `FOR SHARE`: an endpoint being disabled or changed
    ///   concurrently (another instance's transaction) is either read as it ends up, or waits for
    ///   this commit and then fails the delivery inserted here with its other pending ones; a
    ///   `PENDING` delivery of a disabled endpoint is never left behind.
    /// - The commit announces `.outbox` when a delivery was inserted, so that every instance's
    ///   dispatcher wakes; the caller announces nothing for it.
    ///
    /// - Parameter now: Unix milliseconds of the state change.
    static func insertEvent(_ event: OutboxEvent, in transaction: PostgresTransaction, now: Int64) async throws {
        let type = event.type.rawValue
        try await transaction.execute(
            """
            INSERT INTO webhook_events (id, tenant_id, type, body, run_id, created_at)
            VALUES (\(event.id), \(event.tenantId), \(type), \(event.body), \(event.runId), \(now))
            """)
        let endpoints = try await transaction.rows(
            """
            SELECT id FROM webhook_endpoints
            WHERE tenant_id = \(event.tenantId) AND enabled AND events::jsonb ? \(type)
                AND (workflow_definition_ids IS NULL OR \(event.definitionId)::text IS NULL
                    OR workflow_definition_ids::jsonb ? \(event.definitionId))
            ORDER BY id
            FOR SHARE
            """
        ).map { try $0["id"].decode(String.self) }
        try await insertDeliveries(
            tenantId: event.tenantId, targets: endpoints.map { (eventId: event.id, endpointId: $0) }, in: transaction, now: now)
    }

    /// Inserts one `PENDING` delivery, due at `now`, per target (an event of the tenant to one
    /// of its endpoints), in one statement, and answers their ids in the order of `targets` (they
    /// sort in that order too); makes the commit announce `.outbox` when there was one.
    ///
    /// An event can be on its way to an endpoint only once (`webhook_deliveries_one_active`): an
    /// insertion of a pair already `PENDING` or `DELIVERING` (a concurrent redelivery committed
    /// first) throws `StoreError.conflict`.
    @discardableResult
    static func insertDeliveries(
        tenantId: String, targets: [(eventId: String, endpointId: String)], in transaction: PostgresTransaction, now: Int64
    ) async throws -> [String] {
        guard !targets.isEmpty else { return [] }
        let ids = targets.map { _ in deliveryIds.next(at: Timestamp.date(millis: now)) }
        do {
            try await transaction.execute(
                """
                INSERT INTO webhook_deliveries (id, tenant_id, event_id, endpoint_id, status, next_attempt_at, created_at, updated_at)
                SELECT delivery.id, \(tenantId), delivery.event_id, delivery.endpoint_id, 'PENDING', \(now), \(now), \(now)
                FROM unnest(\(ids)::text[], \(targets.map(\.eventId))::text[], \(targets.map(\.endpointId))::text[])
                    AS delivery(id, event_id, endpoint_id)
                """)
        } catch let error as PSQLError where error.isUniqueViolation(of: "webhook_deliveries_one_active") {
            throw StoreError.conflict("the event is already on its way to the endpoint")
        }
        transaction.announce(.outbox)
        return ids
    }

    /// Delivery ids are made inside other components' transactions (the run transaction), which
    /// have no store instance at hand.
    private static let deliveryIds = ULIDGenerator()
}
