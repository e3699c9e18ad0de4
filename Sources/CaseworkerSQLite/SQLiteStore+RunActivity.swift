import CaseworkerCore
import CaseworkerStore
import Foundation
import GRDB

extension SQLiteStore: RunActivityStore {
    /// Reads `runs_tenant` from the lowest id of `since` on (ids are ULIDs: they sort by creation).
    /// Branch runs are their parents' business and are not counted, here or in `activeRunCount`.
    public func runActivity(tenantId: String, since: Date, bucketSeconds: Int) async throws -> [RunActivity] {
        let bucket = Int64(max(1, bucketSeconds)) * 1000
        return try await pool.read { db in
            try Row.fetchAll(
                db, cached: """
                    SELECT (created_at / ?) * ? AS bucket, status, COUNT(*) AS n FROM runs
                    WHERE tenant_id = ? AND id >= ? AND branch_group IS NULL GROUP BY bucket, status ORDER BY bucket
                    """,
                arguments: [bucket, bucket, tenantId, ULIDGenerator.lowerBound(at: since)]
            ).compactMap { row in
                guard let status = RunStatus(rawValue: row["status"]) else { return nil }
                return RunActivity(start: Timestamp.date(millis: row["bucket"]), status: status, count: row["n"])
            }
        }
    }

    /// Through `runs_tenant_status`: only the active runs are visited.
    public func activeRunCount(tenantId: String) async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(
                db, cached: "SELECT COUNT(*) FROM runs WHERE tenant_id = ? AND status IN ('PENDING', 'RUNNING', 'WAITING') AND branch_group IS NULL",
                arguments: [tenantId]) ?? 0
        }
    }

    /// The unfinished deliveries of one tenant, through the partial indexes on `PENDING` and
    /// `DELIVERING` (as `deliveryBacklog()`), filtered by tenant.
    public func deliveryBacklog(tenantId: String) async throws -> DeliveryBacklog {
        try await pool.read { db in
            let row = try Row.fetchOne(
                db, cached: """
                    SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM webhook_deliveries
                    WHERE status IN ('PENDING', 'DELIVERING') AND tenant_id = ?
                    """, arguments: [tenantId])
            return DeliveryBacklog(pending: row?["n"] ?? 0, oldestCreatedAt: (row?["oldest"] as Int64?).map(Timestamp.date(millis:)))
        }
    }
}

extension SQLiteStore: RunTimelineStore {
    /// Three reads of `run_tasks_run` in one snapshot: the page, the count and the distinct steps.
    public func runTimeline(tenantId: String, runId: String, afterId: String?, limit: Int) async throws -> RunTimelinePage? {
        try await pool.read { db in
            guard let run = try Self.fetchRun(db, tenantId: tenantId, id: runId) else { return nil }
            let rows = try Row.fetchAll(
                db, cached: "SELECT * FROM run_tasks WHERE run_id = ? AND id > ? ORDER BY id LIMIT ?",
                arguments: [runId, afterId ?? "", limit + 1])
            let total = try Int.fetchOne(db, cached: "SELECT COUNT(*) FROM run_tasks WHERE run_id = ?", arguments: [runId]) ?? 0
            let steps = try String.fetchAll(db, cached: "SELECT DISTINCT step_id FROM run_tasks WHERE run_id = ?", arguments: [runId])
            return RunTimelinePage(
                run: run, tasks: rows.prefix(limit).map(RunTask.init(stored:)), hasMore: rows.count > limit, totalTasks: total, stepsTaken: Set(steps))
        }
    }
}
