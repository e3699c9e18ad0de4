import CaseworkerCore
import CaseworkerStore
import Foundation
import GRDB

extension SQLiteStore {
    /// Writes a webhook event and its deliveries: the outbox write the engine makes INSIDE the
    /// write transaction of the state change that causes the event, so that both commit or
    /// neither does (no committed terminal run without its event; no event for a rolled-back one).
    ///
    /// - The body is `WebhookEventBody.make(type:timestamp:data:)`, stored exactly as it will be
    ///   sent and signed.
    /// - One `PENDING` delivery, due at `now`, is inserted per ENABLED endpoint of the tenant that
    ///   subscribes to `type` and to the run's definition (`data.workflowDefinitionId`; an endpoint
    ///   without `workflowDefinitionIds` subscribes to every definition). A tenant without such
    ///   endpoints still gets the event row (it can be redelivered to an endpoint created later
    ///   only by a new event: events are not replayed).
    /// - After the commit, `outboxSignal` wakes the dispatcher (a transaction observer sees the
    ///   inserted deliveries; the caller does nothing).
    ///
    /// - Parameters:
    ///   - type: a `WebhookEventType` raw value, e.g. `workflow.completed`; anything else throws.
    ///   - data: `{id, caseId, workflowDefinitionId, version, status, result, error, correlationId}`.
    ///   - eventId: the event id and `webhook-id`, unique, e.g. `msg_<ULID>`.
    ///   - now: Unix milliseconds of the state change.
    public static func enqueueEvent(
        _ db: Database, tenantId: String, type: String, data: JSONValue, runId: String?, eventId: String, now: Int64
    ) throws {
        guard let eventType = WebhookEventType(rawValue: type) else {
            throw StoreError.conflict("unknown webhook event type \(type)")
        }
        try insertEvent(
            db, tenantId: tenantId, type: eventType, body: WebhookEventBody.make(type: eventType, timestamp: Timestamp.date(millis: now), data: data), runId: runId,
            definitionId: data["workflowDefinitionId"]?.stringValue, eventId: eventId, now: now)
    }

    /// `enqueueEvent` with the body already made (`OutboxEvent`, outside the transaction, to keep
    /// the writer's work short); `definitionId` is the run's definition.
    static func insertEvent(
        _ db: Database, tenantId: String, type eventType: WebhookEventType, body: String, runId: String?, definitionId: String?,
        eventId: String, now: Int64
    ) throws {
        try db.execute(
            cached: "INSERT INTO webhook_events (id, tenant_id, type, body, run_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [eventId, tenantId, eventType.rawValue, body, runId, now])
        let endpoints = try String.fetchAll(
            db,
            cached: """
                SELECT id FROM webhook_endpoints
                WHERE tenant_id = ?1 AND enabled = 1 AND EXISTS (SELECT 1 FROM json_each(events) WHERE value = ?2)
                    AND (workflow_definition_ids IS NULL OR ?3 IS NULL
                        OR EXISTS (SELECT 1 FROM json_each(workflow_definition_ids) WHERE value = ?3))
                ORDER BY id
                """,
            arguments: [tenantId, eventType.rawValue, definitionId])
        for endpointId in endpoints {
            try insertDelivery(db, tenantId: tenantId, eventId: eventId, endpointId: endpointId, now: now)
        }
    }

    /// Inserts one `PENDING` delivery due at `now`.
    @discardableResult
    static func insertDelivery(_ db: Database, tenantId: String, eventId: String, endpointId: String, now: Int64) throws -> String {
        let id = deliveryIds.next(at: Timestamp.date(millis: now))
        try db.execute(
            cached: """
                INSERT INTO webhook_deliveries (id, tenant_id, event_id, endpoint_id, status, next_attempt_at, created_at, updated_at)
                VALUES (?, ?, ?, ?, 'PENDING', ?, ?, ?)
                """,
            arguments: [id, tenantId, eventId, endpointId, now, now, now])
        return id
    }

    /// Delivery ids are made inside other components' transactions, which have no store instance.
    private static let deliveryIds = ULIDGenerator()
}

/// Notifies the outbox signal after each commit that inserted a webhook delivery.
///
/// GRDB calls it on the writer connection's queue only, one transaction at a time, so its state
/// needs no lock of its own.
final class OutboxCommitObserver: TransactionObserver, @unchecked Sendable {
    private let signal: WorkSignal
    private var inserted = false

    init(signal: WorkSignal) {
        self.signal = signal
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        if case .insert(let table) = eventKind { return table == "webhook_deliveries" }
        return false
    }

    func databaseDidChange(with event: DatabaseEvent) {
        inserted = true
        stopObservingDatabaseChangesUntilNextTransaction()
    }

    func databaseDidCommit(_ db: Database) {
        if inserted { signal.signal() }
        inserted = false
    }

    func databaseDidRollback(_ db: Database) {
        inserted = false
    }
}
