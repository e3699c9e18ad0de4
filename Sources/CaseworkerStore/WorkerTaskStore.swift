import CaseworkerCore
import Foundation

/// The worker tasks of `task` steps (`WorkerTask`), for the workers' API (`/v1/tasks`). Every
/// method is scoped to the worker's tenant: a lease of another tenant is one that does not exist.
/// Times are the store's clock.
public protocol WorkerTaskStore: Sendable {
    /// Leases the oldest task of `queues` that is `QUEUED`, or `LEASED` with a lease expired at
    /// the store's now (its worker is gone: the new lease counts as a new attempt), to `worker` until
    /// now + the task's lease time, in one write. `nil` when there is none.
    func pollTask(tenantId: String, queues: [String], worker: String) async throws -> WorkerTaskLease?
    /// Extends the lease `leaseId` to now + the task's lease time. `nil` for an unknown lease;
    /// `StoreError.conflict` when it was lost (expired, taken over, or its task closed).
    func heartbeatTask(tenantId: String, leaseId: String) async throws -> WorkerTaskLease?
    /// Records `result` for the lease `leaseId` and, in the same transaction, wakes the run
    /// waiting for the task (`RunLifecycle.taskFinished`). `nil` for an unknown lease;
    /// `StoreError.conflict` when it was lost.
    func finishTask(tenantId: String, leaseId: String, result: WorkerTaskResult) async throws -> WorkerTaskLease?
    /// Tasks waiting for a worker (`QUEUED`, or leased with an expired lease) per tenant and
    /// queue, with the oldest one's creation time, for the metrics.
    func taskBacklog() async throws -> [TaskQueueBacklog]
}

/// How many tasks of one queue wait for a worker.
public struct TaskQueueBacklog: Sendable, Hashable {
    public var tenantId: String
    public var queue: String
    public var waiting: Int
    public var oldestCreatedAt: Date

    public init(tenantId: String, queue: String, waiting: Int, oldestCreatedAt: Date) {
        self.tenantId = tenantId
        self.queue = queue
        self.waiting = waiting
        self.oldestCreatedAt = oldestCreatedAt
    }
}
