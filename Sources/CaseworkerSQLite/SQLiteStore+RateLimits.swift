import CaseworkerCore
import CaseworkerStore
import Foundation
import GRDB

/// Rate limits (SPEC 2.7): the state is the runs themselves. A rate-limited run carries its
/// evaluated key and limit (`rate_key`, `rate_limit`, set at creation); a key's active runs are
/// its `RUNNING` and `WAITING` runs (of the same tenant and definition). So the queue survives a
/// restart unchanged, and a slot frees exactly when a run of the key ends (any terminal status).
extension SQLiteStore {
    /// The condition, on a `runs` row, of the runs the engine may claim when due without asking
    /// their key: every run except a `PENDING` rate-limited one. The partial index
    /// `runs_due_unqueued` (v8) holds exactly these runs while they are due and unclaimed, so
    /// the claim reads due runs in due order without passing over the queued ones.
    static let dueUnqueued = "due_at IS NOT NULL AND claimed_by IS NULL AND (rate_key IS NULL OR status <> 'PENDING')"

    /// A `PENDING` rate-limited run, in the terms of the `runs_rate` index's condition.
    private static let queuedRun = "rate_key IS NOT NULL AND finished_at IS NULL AND status = 'PENDING'"

    /// The `PENDING` rate-limited runs that may start now, with their due times: per key (tenant,
    /// definition, `rate_key`), its queued runs in id (creation) order, as long as each one's
    /// position plus the key's active runs stays within its own `rate_limit`. The queue is strict:
    /// the first run that does not fit ends it, so runs of a key start in start order.
    ///
    /// The cost grows with the keys that have queued runs and the runs that may start, not with
    /// the queues' length: each key is found by a few seeks in `runs_rate`, and its queue is read
    /// only up to the first run that does not fit. (Ranking every queued run on each claim took
    /// 57 ms per claim with 10,000 runs queued behind one key, docs/PERFORMANCE.md.)
    static func admissibleQueuedRuns(_ db: Database) throws -> [(id: String, dueAt: Int64)] {
        var admissible: [(id: String, dueAt: Int64)] = []
        var key = try Row.fetchOne(
            db,
            cached: "SELECT tenant_id, workflow_definition_id, rate_key FROM runs WHERE \(Self.queuedRun) ORDER BY 1, 2, 3 LIMIT 1")
        while let found = key {
            let (tenantId, definitionId, rateKey): (String, String, String) = (found[0], found[1], found[2])
            let arguments: StatementArguments = [tenantId, definitionId, rateKey]
            let active = try Int.fetchOne(
                db,
                cached: """
                    SELECT COUNT(*) FROM runs
                    WHERE tenant_id = ? AND workflow_definition_id = ? AND rate_key = ? AND finished_at IS NULL
                        AND status IN ('RUNNING', 'WAITING')
                    """,
                arguments: arguments) ?? 0
            // A cursor: the queue is read only as far as runs fit.
            let queue = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT id, due_at, rate_limit FROM runs
                        WHERE tenant_id = ? AND workflow_definition_id = ? AND rate_key = ? AND finished_at IS NULL
                            AND status = 'PENDING'
                        ORDER BY id
                        """),
                arguments: arguments)
            var position = 0
            while let run = try queue.next() {
                position += 1
                guard position + active <= run[2] as Int else { break }
                if let dueAt = run[1] as Int64? { admissible.append((run[0], dueAt)) }
            }
            // The next key, in three seeks: with a row-value comparison,
            // `(tenant_id, workflow_definition_id, rate_key) > (?, ?, ?)`, SQLite passed over
            // this key's whole queue (22 ms with 100,000 runs queued behind it).
            key = try Row.fetchOne(
                db,
                cached: """
                    SELECT * FROM (
                        SELECT * FROM (SELECT tenant_id, workflow_definition_id, rate_key FROM runs
                            WHERE \(Self.queuedRun) AND tenant_id = ?1 AND workflow_definition_id = ?2 AND rate_key > ?3
                            ORDER BY rate_key LIMIT 1)
                        UNION ALL
                        SELECT * FROM (SELECT tenant_id, workflow_definition_id, rate_key FROM runs
                            WHERE \(Self.queuedRun) AND tenant_id = ?1 AND workflow_definition_id > ?2
                            ORDER BY workflow_definition_id, rate_key LIMIT 1)
                        UNION ALL
                        SELECT * FROM (SELECT tenant_id, workflow_definition_id, rate_key FROM runs
                            WHERE \(Self.queuedRun) AND tenant_id > ?1
                            ORDER BY tenant_id, workflow_definition_id, rate_key LIMIT 1)
                    ) ORDER BY 1, 2, 3 LIMIT 1
                    """,
                arguments: arguments)
        }
        return admissible
    }
}

extension SQLiteStore {
    public func rateLimitPlace(of run: Run) async throws -> RateLimitPlace? {
        guard run.status == .pending, let key = run.rateLimit?.key else { return nil }
        return try await readStatement { db in
            // Both counts read the `runs_rate` index (tenant, definition, key, status, id).
            try Row.fetchOne(
                db,
                cached: """
                    SELECT
                        (SELECT COUNT(*) FROM runs WHERE tenant_id = ?1 AND workflow_definition_id = ?2 AND rate_key = ?3
                            AND finished_at IS NULL AND status = 'PENDING' AND id <= ?4),
                        (SELECT COUNT(*) FROM runs WHERE tenant_id = ?1 AND workflow_definition_id = ?2 AND rate_key = ?3
                            AND finished_at IS NULL AND status IN ('RUNNING', 'WAITING'))
                    """,
                arguments: [run.tenantId, run.workflowDefinitionId, key, run.id]
            ).map { RateLimitPlace(position: $0[0], active: $0[1]) }
        }
    }
}
