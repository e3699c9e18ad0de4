import CaseworkerCore
import CaseworkerStore
import Foundation
import PostgresNIO

/// Worker tasks, shared by the workers of every instance. A poll leases a task in one statement
/// that locks it (`FOR UPDATE SKIP LOCKED`), so two polls, on any instances, never lease the
/// same task and never wait for each other; a heartbeat is one conditional `UPDATE`; a result
/// locks the run, then the task, before it decides (the order an engine's commit that closes
/// the run's tasks takes them in).
extension PostgresStore: WorkerTaskStore {
    public func pollTask(tenantId: String, queues: [String], worker: String) async throws -> WorkerTaskLease? {
        let now = clock.now
        guard !queues.isEmpty else { return nil }
        let leaseId = "lease_" + ids.next(at: now)
        let nowMillis = Timestamp.millis(now)
        // A read first: an idle poller's ticks take no write transaction.
        let probe = try await row(
            """
            SELECT EXISTS (SELECT 1 FROM worker_tasks WHERE tenant_id = \(tenantId) AND queue = ANY(\(queues))
                AND status IN ('QUEUED', 'LEASED') AND (status = 'QUEUED' OR lease_expires_at <= \(nowMillis))
                AND deadline_at > \(nowMillis)) AS available
            """)
        guard try probe?["available"].decode(Bool.self) == true else { return nil }
        return try await write("pollTask") { tx in
            try await tx.row(
                """
                WITH leased AS (
                    UPDATE worker_tasks SET status = 'LEASED', attempts = attempts + 1, lease_id = \(leaseId), worker = \(worker),
                        lease_expires_at = \(nowMillis) + lease_ms
                    WHERE id = (
                        SELECT id FROM worker_tasks
                        WHERE tenant_id = \(tenantId) AND queue = ANY(\(queues)) AND status IN ('QUEUED', 'LEASED')
                            AND (status = 'QUEUED' OR lease_expires_at <= \(nowMillis)) AND deadline_at > \(nowMillis)
                        ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
                    RETURNING *
                ), lease AS (
                    INSERT INTO worker_task_leases (id, tenant_id, task_id, attempt, worker, created_at)
                    SELECT \(leaseId), tenant_id, id, attempts, worker, \(nowMillis) FROM leased
                )
                SELECT * FROM leased
                """
            ).map { try WorkerTaskLease(stored: $0) }
        }
    }

    public func heartbeatTask(tenantId: String, leaseId: String) async throws -> WorkerTaskLease? {
        let nowMillis = nowMillis
        return try await write("heartbeatTask") { tx in
            let row = try await tx.row(
                """
                UPDATE worker_tasks SET lease_expires_at = \(nowMillis) + lease_ms
                WHERE id = (SELECT task_id FROM worker_task_leases WHERE tenant_id = \(tenantId) AND id = \(leaseId))
                    AND tenant_id = \(tenantId) AND lease_id = \(leaseId) AND status = 'LEASED'
                    AND lease_expires_at > \(nowMillis) AND deadline_at > \(nowMillis)
                RETURNING *
                """)
            if let row { return try WorkerTaskLease(stored: row) }
            try await Self.refuseLostLease(in: tx, tenantId: tenantId, leaseId: leaseId, now: nowMillis)
            return nil
        }
    }

    public func finishTask(tenantId: String, leaseId: String, result: WorkerTaskResult) async throws -> WorkerTaskLease? {
        let now = clock.now
        let nowMillis = Timestamp.millis(now)
        let status: WorkerTask.Status = if case .completed = result { .completed } else { .failed }
        let context = LifecycleContext(now: now, newId: { [ids] in ids.next(at: now) })
        return try await write("finishTask") { tx in
            guard
                let leased = try await tx.row(
                    """
                    SELECT t.run_id FROM worker_task_leases l JOIN worker_tasks t ON t.id = l.task_id
                    WHERE l.tenant_id = \(tenantId) AND l.id = \(leaseId)
                    """)
            else { return nil }
            let runId = try leased["run_id"].decode(String.self)
            let run = try await tx.row("SELECT * FROM runs WHERE tenant_id = \(tenantId) AND id = \(runId) FOR UPDATE").map { try Run.reading($0) }
            guard
                let row = try await tx.row(
                    """
                    SELECT * FROM worker_tasks
                    WHERE id = (SELECT task_id FROM worker_task_leases WHERE tenant_id = \(tenantId) AND id = \(leaseId))
                        AND tenant_id = \(tenantId) AND lease_id = \(leaseId) AND status = 'LEASED'
                        AND lease_expires_at > \(nowMillis) AND deadline_at > \(nowMillis)
                    FOR UPDATE
                    """)
            else {
                try await Self.refuseLostLease(in: tx, tenantId: tenantId, leaseId: leaseId, now: nowMillis)
                return nil
            }
            let lease = try WorkerTaskLease(stored: row)
            let payload = result.payload(worker: lease.worker, attempt: lease.attempt)
            try await tx.execute(
                """
                UPDATE worker_tasks SET status = \(status.rawValue), result = \(JSONText.encode(payload)), lease_expires_at = NULL,
                    finished_at = \(nowMillis)
                WHERE id = \(lease.task.id)
                """)
            if let run, let change = RunLifecycle.taskFinished(run, task: lease.task, payload: payload, context: context) {
                try await PostgresRunTransaction(store: self, transaction: tx).apply(change, context: context)
            }
            return lease
        }
    }

    /// After a lease matched no open task: `StoreError.conflict` when the lease exists (it was
    /// lost), nothing when it does not (the caller answers 404).
    private static func refuseLostLease(in transaction: PostgresTransaction, tenantId: String, leaseId: String, now: Int64) async throws {
        guard
            let task = try await transaction.row(
                """
                SELECT t.status, t.lease_id, t.deadline_at FROM worker_task_leases l
                JOIN worker_tasks t ON t.id = l.task_id WHERE l.tenant_id = \(tenantId) AND l.id = \(leaseId)
                """)
        else { return }
        let status = try task["status"].decode(String.self)
        let reason =
            if try task["lease_id"].decode(String?.self) != leaseId {
                "the lease \(leaseId) was lost: the task was leased again after it expired"
            } else if status != "LEASED" {
                "the lease \(leaseId) was lost: the task is \(status)"
            } else if try task["deadline_at"].decode(Int64.self) <= now {
                "the lease \(leaseId) was lost: the task's step timed out"
            } else {
                "the lease \(leaseId) was lost: it expired without a heartbeat"
            }
        throw StoreError.conflict(reason)
    }

    public func taskBacklog() async throws -> [TaskQueueBacklog] {
        let nowMillis = nowMillis
        return try await rows(
            """
            SELECT tenant_id, queue, COUNT(*) AS waiting, MIN(created_at) AS oldest FROM worker_tasks
            WHERE status IN ('QUEUED', 'LEASED') AND (status = 'QUEUED' OR lease_expires_at <= \(nowMillis)) AND deadline_at > \(nowMillis)
            GROUP BY tenant_id, queue ORDER BY tenant_id, queue
            """
        ).map {
            TaskQueueBacklog(
                tenantId: try $0["tenant_id"].decode(String.self), queue: try $0["queue"].decode(String.self),
                waiting: try $0["waiting"].decode(Int.self), oldestCreatedAt: Timestamp.date(millis: try $0["oldest"].decode(Int64.self)))
        }
    }
}
