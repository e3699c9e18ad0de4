import CaseworkerCore
import CaseworkerStore
import Foundation
import PostgresNIO

/// Rate limits (SPEC 2.7): the state is the runs themselves, as in the SQLite store. A
/// rate-limited run carries its evaluated key and limit (`rate_key`, `rate_limit`, set at
/// creation); a key's active runs are its `RUNNING` and `WAITING` runs (of the same tenant and
/// definition). A slot frees exactly when a run of the key ends.
///
/// Admission across instances: a claim counts a key's active runs and admits the queued runs
/// that fit. Under READ COMMITTED, two instances claiming at the same moment would each count
/// the same free slot (neither sees the other's uncommitted claim) and start one run each, or a
/// claim's count and its read of the queue could see different commits. So a claim that finds
/// queued runs first takes the transaction-level advisory lock `admissionLockKey`, held until it
/// commits: admissions run one at a time across the instances, and each one's reads, made after
/// it got the lock, see every earlier admission committed. A claim with no queued run takes no
/// lock, so runs without rate limits are claimed in parallel.
extension PostgresStore {
    /// The condition, on a `runs` row, of the runs the engine may claim when due without asking
    /// their key: every run except a `PENDING` rate-limited one (the partial index
    /// `runs_due_unqueued`).
    static let dueUnqueued = "due_at IS NOT NULL AND claimed_by IS NULL AND (rate_key IS NULL OR status <> 'PENDING')"

    /// A `PENDING` rate-limited run, in the terms of the `runs_rate` index's condition.
    static let queuedRun = "rate_key IS NOT NULL AND finished_at IS NULL AND status = 'PENDING'"

    /// The advisory lock that serialises admissions (`pg_advisory_xact_lock`).
    static let admissionLockKey: Int64 = 0x6361_7365_776b_0002

    /// Takes the admission lock, until the caller's transaction ends, when a rate-limited run is
    /// queued; answers whether one is (one statement).
    static func lockAdmissionIfQueued(in transaction: PostgresTransaction) async throws -> Bool {
        try await transaction.row(
            """
            SELECT pg_advisory_xact_lock(\(admissionLockKey)) FROM (SELECT 1 FROM runs WHERE \(unescaped: queuedRun) LIMIT 1) AS queued
            """) != nil
    }

    /// The `PENDING` rate-limited runs that may start now, with their due times: per key (tenant,
    /// definition, `rate_key`), its queued runs in id (creation) order, as long as each one's
    /// position plus the key's active runs stays within its own `rate_limit`. The queue is strict:
    /// the first run that does not fit ends it, so runs of a key start in start order.
    ///
    /// One statement: each key with queued runs (grouped from `runs_rate`), its active runs
    /// counted, and the front of its queue read only as far as a run could fit (the key's
    /// largest limit less its active runs). A claim calls it under the admission lock.
    static func admissibleQueuedRuns(in transaction: PostgresTransaction) async throws -> [(id: String, dueAt: Int64)] {
        let rows = try await transaction.rows(
            """
            WITH rate_keys AS (
                SELECT tenant_id, workflow_definition_id, rate_key, MAX(rate_limit) AS max_limit FROM runs
                WHERE \(unescaped: queuedRun) GROUP BY tenant_id, workflow_definition_id, rate_key
            ), counted AS (
                SELECT k.*, (
                    SELECT COUNT(*) FROM runs a
                    WHERE a.tenant_id = k.tenant_id AND a.workflow_definition_id = k.workflow_definition_id AND a.rate_key = k.rate_key
                        AND a.finished_at IS NULL AND a.status IN ('RUNNING', 'WAITING')
                ) AS active FROM rate_keys k
            )
            SELECT c.tenant_id, c.workflow_definition_id, c.rate_key, c.active, q.id, q.due_at, q.rate_limit
            FROM counted c CROSS JOIN LATERAL (
                SELECT id, due_at, rate_limit FROM runs r
                WHERE r.tenant_id = c.tenant_id AND r.workflow_definition_id = c.workflow_definition_id AND r.rate_key = c.rate_key
                    AND r.rate_key IS NOT NULL AND r.finished_at IS NULL AND r.status = 'PENDING'
                ORDER BY r.id LIMIT GREATEST(c.max_limit - c.active, 0)
            ) AS q
            ORDER BY c.tenant_id, c.workflow_definition_id, c.rate_key, q.id
            """)
        var admissible: [(id: String, dueAt: Int64)] = []
        var key: [String] = []
        var position = 0
        var full = false
        for row in rows {
            let rowKey = [
                try row["tenant_id"].decode(String.self), try row["workflow_definition_id"].decode(String.self),
                try row["rate_key"].decode(String.self),
            ]
            if rowKey != key { (key, position, full) = (rowKey, 0, false) }
            guard !full else { continue }
            position += 1
            guard position + (try row["active"].decode(Int.self)) <= (try row["rate_limit"].decode(Int.self)) else {
                full = true
                continue
            }
            if let dueAt = try row["due_at"].decode(Int64?.self) { admissible.append((try row["id"].decode(String.self), dueAt)) }
        }
        return admissible
    }

    public func rateLimitPlace(of run: Run) async throws -> RateLimitPlace? {
        guard run.status == .pending, let key = run.rateLimit?.key else { return nil }
        // Both counts read the `runs_rate` index (tenant, definition, key, status, id), in one
        // statement's snapshot.
        let row = try await row(
            """
            SELECT
                (SELECT COUNT(*) FROM runs WHERE tenant_id = \(run.tenantId) AND workflow_definition_id = \(run.workflowDefinitionId)
                    AND rate_key = \(key) AND finished_at IS NULL AND status = 'PENDING' AND id <= \(run.id)) AS position,
                (SELECT COUNT(*) FROM runs WHERE tenant_id = \(run.tenantId) AND workflow_definition_id = \(run.workflowDefinitionId)
                    AND rate_key = \(key) AND finished_at IS NULL AND status IN ('RUNNING', 'WAITING')) AS active
            """)
        return try row.map { RateLimitPlace(position: try $0["position"].decode(Int.self), active: try $0["active"].decode(Int.self)) }
    }
}
