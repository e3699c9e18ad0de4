import Foundation

/// How much of the webhook outbox is waiting: the `/metrics` gauges
/// `caseworker_webhook_deliveries_pending` and
/// `caseworker_webhook_oldest_pending_delivery_age_seconds`.
public struct DeliveryBacklog: Sendable, Hashable {
    /// Deliveries not yet finished: `PENDING` (waiting for their next attempt) and `DELIVERING`
    /// (an attempt in flight).
    public var pending: Int
    /// When the oldest of them was created; `nil` when there are none.
    public var oldestCreatedAt: Date?

    public init(pending: Int, oldestCreatedAt: Date?) {
        self.pending = pending
        self.oldestCreatedAt = oldestCreatedAt
    }
}

/// The outbox's backlog, for metrics. Separate from `DeliveryStore` so that only the sampler
/// needs it.
public protocol DeliveryBacklogStore: Sendable {
    /// Counts the unfinished deliveries and finds the oldest one's creation time, reading only
    /// (no write transaction). Cheap enough to call every few seconds: it scans only the
    /// unfinished deliveries, never the delivered history.
    func deliveryBacklog() async throws -> DeliveryBacklog
}
