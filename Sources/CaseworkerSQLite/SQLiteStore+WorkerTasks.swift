import CaseworkerCore
import CaseworkerStore
import Foundation
import GRDB

extension SQLiteStore: WorkerTaskStore {
    public func pollTask(tenantId: String, queues: [String], worker: String) async throws -> WorkerTaskLease? {
        let now = clock.now
        guard !queues.isEmpty else { return nil }
        let leaseId = "lease_" + ids.next(at: now)
        let nowMillis = Timestamp.millis(now)
        let marks = Array(repeating: "?", count: queues.count).joined(separator: ", ")
        // One statement claims: a concurrent poll cannot take the same task.
        let sql = """
            UPDATE worker_tasks SET status = 'LEASED', attempts = attempts + 1, lease_id = ?, worker = ?,
                lease_expires_at = ? + lease_ms
            WHERE id = (
                SELECT id FROM worker_tasks
                WHERE tenant_id = ? AND queue IN (\(marks)) AND status IN ('QUEUED', 'LEASED')
                    AND (status = 'QUEUED' OR lease_expires_at <= ?) AND deadline_at > ?
                ORDER BY id LIMIT 1)
            RETURNING *
            """
        let values: [any DatabaseValueConvertible] = [leaseId, worker, nowMillis, tenantId] + queues + [nowMillis, nowMillis]
        let arguments = StatementArguments(values.map(\.databaseValue))
        // A read first: an idle poller's ticks take no write transaction.
        let probe = """
            SELECT EXISTS (SELECT 1 FROM worker_tasks WHERE tenant_id = ? AND queue IN (\(marks)) AND status IN ('QUEUED', 'LEASED')
                AND (status = 'QUEUED' OR lease_expires_at <= ?) AND deadline_at > ?)
            """
        let probeValues: [any DatabaseValueConvertible] = [tenantId] + queues + [nowMillis, nowMillis]
        let probeArguments = StatementArguments(probeValues.map(\.databaseValue))
        guard try await pool.read({ db in try Bool.fetchOne(db, sql: probe, arguments: probeArguments) ?? false }) else { return nil }
        return try await write("pollTask") { db in
            guard let row = try Row.fetchOne(db, sql: sql, arguments: arguments) else { return nil }
            let lease = WorkerTaskLease(stored: row)
            try db.execute(
                cached: "INSERT INTO worker_task_leases (id, tenant_id, task_id, attempt, worker, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [leaseId, tenantId, lease.task.id, lease.attempt, worker, nowMillis])
            return lease
        }
    }

    public func heartbeatTask(tenantId: String, leaseId: String) async throws -> WorkerTaskLease? {
        let now = clock.now
        let nowMillis = Timestamp.millis(now)
        return try await write("heartbeatTask") { db in
            let row = try Row.fetchOne(
                db,
                cached: """
                    UPDATE worker_tasks SET lease_expires_at = ? + lease_ms
                    WHERE id = (SELECT task_id FROM worker_task_leases WHERE tenant_id = ?2 AND id = ?3)
                        AND tenant_id = ?2 AND lease_id = ?3 AND status = 'LEASED' AND lease_expires_at > ?4 AND deadline_at > ?4
                    RETURNING *
                    """,
                arguments: [nowMillis, tenantId, leaseId, nowMillis])
            if let row { return WorkerTaskLease(stored: row) }
            try Self.refuseLostLease(db, tenantId: tenantId, leaseId: leaseId, now: nowMillis)
            return nil
        }
    }

    public func finishTask(tenantId: String, leaseId: String, result: WorkerTaskResult) async throws -> WorkerTaskLease? {
        let now = clock.now
        let nowMillis = Timestamp.millis(now)
        let status: WorkerTask.Status = if case .completed = result { .completed } else { .failed }
        let context = LifecycleContext(now: now, newId: { [ids] in ids.next(at: now) })
        return try await write("finishTask") { db in
            let row = try Row.fetchOne(
                db,
                cached: """
                    SELECT * FROM worker_tasks
                    WHERE id = (SELECT task_id FROM worker_task_leases WHERE tenant_id = ?1 AND id = ?2)
                        AND tenant_id = ?1 AND lease_id = ?2 AND status = 'LEASED' AND lease_expires_at > ?3 AND deadline_at > ?3
                    """,
                arguments: [tenantId, leaseId, nowMillis])
            guard let row else {
                try Self.refuseLostLease(db, tenantId: tenantId, leaseId: leaseId, now: nowMillis)
                return nil
            }
            let lease = WorkerTaskLease(stored: row)
            let payload = result.payload(worker: lease.worker, attempt: lease.attempt)
            try db.execute(
                cached: "UPDATE worker_tasks SET status = ?, result = ?, lease_expires_at = NULL, finished_at = ? WHERE id = ?",
                arguments: [status.rawValue, JSONText.encode(payload), nowMillis, lease.task.id])
            if let run = try Self.fetchRun(db, tenantId: tenantId, id: lease.task.runId),
                let change = RunLifecycle.taskFinished(run, task: lease.task, payload: payload, context: context)
            {
                try SQLiteRunTransaction(store: self, db: db).apply(change, context: context)
            }
            return lease
        }
    }

    /// After a lease matched no open task: `StoreError.conflict` when the lease exists (it was
    /// lost), nothing when it does not (the caller answers 404).
    private static func refuseLostLease(_ db: Database, tenantId: String, leaseId: String, now: Int64) throws {
        guard
            let task = try Row.fetchOne(
                db,
                cached: """
                    SELECT t.status, t.lease_id, t.lease_expires_at, t.deadline_at FROM worker_task_leases l
                    JOIN worker_tasks t ON t.id = l.task_id WHERE l.tenant_id = ? AND l.id = ?
                    """,
                arguments: [tenantId, leaseId])
        else { return }
        let status: String = task["status"]
        let reason =
            if task["lease_id"] as String? != leaseId {
                "the lease \(leaseId) was lost: the task was leased again after it expired"
            } else if status != "LEASED" {
                "the lease \(leaseId) was lost: the task is \(status)"
            } else if (task["deadline_at"] as Int64) <= now {
                "the lease \(leaseId) was lost: the task's step timed out"
            } else {
                "the lease \(leaseId) was lost: it expired without a heartbeat"
            }
        throw StoreError.conflict(reason)
    }

    public func taskBacklog() async throws -> [TaskQueueBacklog] {
        let now = clock.now
        let nowMillis = Timestamp.millis(now)
        return try await pool.read { db in
            try Row.fetchAll(
                db,
                cached: """
                    SELECT tenant_id, queue, COUNT(*) AS waiting, MIN(created_at) AS oldest FROM worker_tasks
                    WHERE status IN ('QUEUED', 'LEASED') AND (status = 'QUEUED' OR lease_expires_at <= ?) AND deadline_at > ?
                    GROUP BY tenant_id, queue ORDER BY tenant_id, queue
                    """,
                arguments: [nowMillis, nowMillis]
            ).map {
                TaskQueueBacklog(
                    tenantId: $0["tenant_id"], queue: $0["queue"], waiting: $0["waiting"], oldestCreatedAt: Timestamp.date(millis: $0["oldest"]))
            }
        }
    }
}
