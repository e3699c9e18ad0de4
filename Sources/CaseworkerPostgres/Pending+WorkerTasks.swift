import CaseworkerCore
import CaseworkerStore
import Foundation

// TODO(#18): the PostgreSQL WorkerTasks store is not written yet: every method throws
// `PostgresStoreError.notImplemented`, and `database.url` is refused until none does.

extension PostgresStore: WorkerTaskStore {
    public func pollTask(tenantId: String, queues: [String], worker: String) async throws -> WorkerTaskLease?{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func heartbeatTask(tenantId: String, leaseId: String) async throws -> WorkerTaskLease?{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func finishTask(tenantId: String, leaseId: String, result: WorkerTaskResult) async throws -> WorkerTaskLease?{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func taskBacklog() async throws -> [TaskQueueBacklog]{
        throw PostgresStoreError.notImplemented(#function)
    }
}
