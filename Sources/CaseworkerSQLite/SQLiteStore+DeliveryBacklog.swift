import CaseworkerCore
import CaseworkerStore
import Foundation
import GRDB

extension SQLiteStore: DeliveryBacklogStore {
    /// Two reads of the partial indexes on `PENDING` and `DELIVERING` deliveries (the claim's
    /// indexes), each visiting only the unfinished rows, in one read transaction.
    public func deliveryBacklog() async throws -> DeliveryBacklog {
        try await pool.read { db in
            var pending = 0
            var oldest: Int64?
            for status in [DeliveryStatus.pending, .delivering] {
                guard
                    let row = try Row.fetchOne(
                        db, cached: "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM webhook_deliveries WHERE status = ?",
                        arguments: [status.rawValue])
                else { continue }
                pending += row["n"] as Int
                if let created = row["oldest"] as Int64? { oldest = min(oldest ?? created, created) }
            }
            return DeliveryBacklog(pending: pending, oldestCreatedAt: oldest.map { Timestamp.date(millis: $0) })
        }
    }
}
