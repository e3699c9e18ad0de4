import CaseworkerCore
import CaseworkerStore
import PostgresNIO

extension WebhookDelivery {
    /// A delivery from a row of `webhook_deliveries` joined with its event's `type AS event_type`.
    init(row: PostgresRandomAccessRow) throws {
        self.init(
            id: try row["id"].decode(String.self), tenantId: try row["tenant_id"].decode(String.self),
            eventId: try row["event_id"].decode(String.self),
            eventType: WebhookEventType(rawValue: try row["event_type"].decode(String.self)) ?? .completed,
            endpointId: try row["endpoint_id"].decode(String.self),
            status: DeliveryStatus(rawValue: try row["status"].decode(String.self)) ?? .pending,
            attemptCount: try row["attempt_count"].decode(Int.self),
            nextAttemptAt: try row["next_attempt_at"].decode(Int64?.self).map(Timestamp.date(millis:)),
            lastError: try row["last_error"].decode(String?.self),
            createdAt: Timestamp.date(millis: try row["created_at"].decode(Int64.self)),
            updatedAt: Timestamp.date(millis: try row["updated_at"].decode(Int64.self)))
    }
}

extension DeliveryAttempt {
    /// An attempt from a row of `webhook_delivery_attempts`.
    init(row: PostgresRandomAccessRow) throws {
        self.init(
            attempt: try row["attempt"].decode(Int.self), at: Timestamp.date(millis: try row["at"].decode(Int64.self)),
            responseStatus: try row["response_status"].decode(Int?.self), durationMs: try row["duration_ms"].decode(Int.self),
            responseBody: try row["response_body"].decode(String?.self), error: try row["error"].decode(String?.self))
    }
}
