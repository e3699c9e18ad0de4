import CaseworkerCore
import CaseworkerStore
import Foundation
import PostgresNIO

extension PostgresStore: RunActivityStore {
    /// Reads `runs_tenant` from the lowest id of `since` on (ids are ULIDs: they sort by
    /// creation), bucketed by integer division of `created_at` (milliseconds), as SQLite does.
    /// Branch runs are their parents' business and are not counted, here or in `activeRunCount`.
    public func runActivity(tenantId: String, since: Date, bucketSeconds: Int) async throws -> [RunActivity] {
        let bucket = Int64(max(1, bucketSeconds)) * 1000
        return try await rows(
            """
            SELECT created_at / \(bucket) * \(bucket) AS bucket, status, COUNT(*) AS n FROM runs
            WHERE tenant_id = \(tenantId) AND id >= \(ULIDGenerator.lowerBound(at: since)) AND branch_group IS NULL
            GROUP BY 1, status ORDER BY 1
            """
        ).compactMap { row in
            guard let status = RunStatus(rawValue: try row["status"].decode(String.self)) else { return nil }
            return RunActivity(
                start: Timestamp.date(millis: try row["bucket"].decode(Int64.self)), status: status, count: try row["n"].decode(Int.self))
        }
    }

    /// Through `runs_tenant_status`: only the active runs are visited.
    public func activeRunCount(tenantId: String) async throws -> Int {
        try await row(
            """
            SELECT COUNT(*) AS n FROM runs
            WHERE tenant_id = \(tenantId) AND status IN ('PENDING', 'RUNNING', 'WAITING') AND branch_group IS NULL
            """
        )?["n"].decode(Int.self) ?? 0
    }

    /// The unfinished deliveries of one tenant, through the partial indexes on `PENDING` and
    /// `DELIVERING` (as `deliveryBacklog()`), filtered by tenant; one statement.
    public func deliveryBacklog(tenantId: String) async throws -> DeliveryBacklog {
        try DeliveryBacklog(
            row: try await row(
                """
                SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM webhook_deliveries
                WHERE status IN ('PENDING', 'DELIVERING') AND tenant_id = \(tenantId)
                """))
    }
}

extension PostgresStore: RunTimelineStore {
    /// The run and three reads of `run_tasks_run` in one snapshot: the page, the count and the
    /// distinct steps.
    public func runTimeline(tenantId: String, runId: String, afterId: String?, limit: Int) async throws -> RunTimelinePage? {
        try await snapshot { tx in
            guard let run = try await Self.fetchRun(in: tx, tenantId: tenantId, id: runId) else { return nil }
            let rows = try await tx.rows(
                "SELECT * FROM run_tasks WHERE run_id = \(runId) AND id > \(afterId ?? "") ORDER BY id LIMIT \(limit + 1)")
            let total = try await tx.row("SELECT COUNT(*) AS n FROM run_tasks WHERE run_id = \(runId)")?["n"].decode(Int.self) ?? 0
            let steps = try await tx.rows("SELECT DISTINCT step_id FROM run_tasks WHERE run_id = \(runId)")
                .map { try $0["step_id"].decode(String.self) }
            return RunTimelinePage(
                run: run, tasks: try rows.prefix(limit).map(RunTask.init(stored:)), hasMore: rows.count > limit, totalTasks: total,
                stepsTaken: Set(steps))
        }
    }
}
