import CaseworkerCore
import CaseworkerStore
import Foundation
import GRDB

/// Rate limits (SPEC 2.7): the state is the runs themselves. A rate-limited run carries its
/// evaluated key and limit (`rate_key`, `rate_limit`, set at creation); a key's active runs are
/// its `RUNNING` and `WAITING` runs (of the same tenant and definition). So the queue survives a
/// restart unchanged, and a slot frees exactly when a run of the key ends (any terminal status).
extension SQLiteStore {
    /// A condition on a `runs` row (unqualified columns) for the claim: true unless the row is a
    /// `PENDING` rate-limited run beyond its key's free slots. The key's `PENDING` runs are ranked
    /// by id (creation order); the first `limit − active` of them are admissible, so runs start
    /// in start order and a claim never exceeds a limit. The subquery is not correlated: SQLite
    /// evaluates it once per claim, over the `runs_rate` index (active rate-limited runs only);
    /// a key's active runs are counted only for its first `limit` queued runs.
    static let admissibleUnderRateLimit = """
        (rate_key IS NULL OR status <> 'PENDING' OR id IN (
            SELECT queued.id FROM (
                SELECT p.id AS id, p.tenant_id AS tenant_id, p.workflow_definition_id AS definition_id, p.rate_key AS rate_key,
                    p.rate_limit AS rate_limit,
                    ROW_NUMBER() OVER (PARTITION BY p.tenant_id, p.workflow_definition_id, p.rate_key ORDER BY p.id) AS position
                FROM runs p WHERE p.rate_key IS NOT NULL AND p.finished_at IS NULL AND p.status = 'PENDING'
            ) AS queued
            WHERE queued.position <= queued.rate_limit
            AND queued.position + (SELECT COUNT(*) FROM runs a
                WHERE a.tenant_id = queued.tenant_id AND a.workflow_definition_id = queued.definition_id
                AND a.rate_key = queued.rate_key AND a.finished_at IS NULL AND a.status IN ('RUNNING', 'WAITING'))
                <= queued.rate_limit))
        """
}
