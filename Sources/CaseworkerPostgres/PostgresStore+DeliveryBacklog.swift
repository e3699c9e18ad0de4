import CaseworkerCore
import CaseworkerStore
import PostgresNIO

extension PostgresStore: DeliveryBacklogStore {
    /// One statement (one snapshot) of two reads through the partial indexes on `PENDING` and
    /// `DELIVERING` deliveries (the claim's indexes), each visiting only the unfinished rows.
    public func deliveryBacklog() async throws -> DeliveryBacklog {
        let row = try await row(
            """
            SELECT pending.n + delivering.n AS n, LEAST(pending.oldest, delivering.oldest) AS oldest
            FROM (SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM webhook_deliveries WHERE status = 'PENDING') pending,
                (SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM webhook_deliveries WHERE status = 'DELIVERING') delivering
            """)
        return try DeliveryBacklog(row: row)
    }
}

extension DeliveryBacklog {
    /// The backlog from a row of `n` (how many unfinished deliveries) and `oldest` (the oldest
    /// one's `created_at`); none when there is no row.
    init(row: PostgresRandomAccessRow?) throws {
        self.init(
            pending: try row?["n"].decode(Int.self) ?? 0,
            oldestCreatedAt: try row?["oldest"].decode(Int64?.self).map(Timestamp.date(millis:)))
    }
}
