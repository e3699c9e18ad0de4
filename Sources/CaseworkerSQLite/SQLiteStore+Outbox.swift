import CaseworkerCore
import CaseworkerStore
import Foundation
import GRDB

extension SQLiteStore {
    /// The largest event body, in bytes (SPEC 3: 256 KiB).
    public static let maxEventBodyBytes = 256 * 1024

    /// Writes a webhook event and its deliveries: the outbox write the engine makes INSIDE the
    /// write transaction of the state change that causes the event, so that both commit or
    /// neither does (no committed terminal run without its event; no event for a rolled-back one).
    ///
    /// - The body is `{"type", "timestamp", "data"}` (compact JSON, sorted keys), `timestamp`
    ///   being the RFC 3339 form of `now`. It is stored exactly as it will be sent and signed.
    ///   When it would exceed 256 KiB, `data.result` is left out and `data.resultTruncated: true`
    ///   tells the receiver to fetch `/v1/workflows/{id}/result`; if it is still too large, only
    ///   the short identifying members of `data` are kept (and `data.errorTruncated: true`).
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
            db, tenantId: tenantId, type: eventType, body: eventBody(type: eventType, timestamp: now, data: data), runId: runId,
            definitionId: data["workflowDefinitionId"]?.stringValue, eventId: eventId, now: now)
    }

    /// `enqueueEvent` with the body already made by `eventBody(type:timestamp:data:)` (outside
    /// the transaction, to keep the writer's work short); `definitionId` is the run's definition.
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

    /// The exact body of an event, at most `maxEventBodyBytes` (see `enqueueEvent`).
    static func eventBody(type: WebhookEventType, timestamp: Int64, data: JSONValue) -> String {
        func encode(_ data: JSONValue) -> String {
            JSONText.encode(["type": .string(type.rawValue), "timestamp": .string(Timestamp.rfc3339(millis: timestamp)), "data": data])
        }
        let full = encode(data)
        guard full.utf8.count > maxEventBodyBytes, var members = data.objectValue else { return full }
        members["result"] = nil
        members["resultTruncated"] = true
        let withoutResult = encode(.object(members))
        guard withoutResult.utf8.count > maxEventBodyBytes else { return withoutResult }
        var short: [String: JSONValue] = ["resultTruncated": true, "errorTruncated": true]
        for key in ["id", "caseId", "workflowDefinitionId", "version", "status", "correlationId"] {
            if let value = members[key], JSONText.encode(value).utf8.count <= 1024 { short[key] = value }
        }
        return encode(.object(short))
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
