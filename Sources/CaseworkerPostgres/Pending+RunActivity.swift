import CaseworkerCore
import CaseworkerStore
import Foundation

// TODO(#18): the PostgreSQL RunActivity store is not written yet: every method throws
// `PostgresStoreError.notImplemented`, and `database.url` is refused until none does.

extension PostgresStore: RunActivityStore, RunTimelineStore {
    public func runActivity(tenantId: String, since: Date, bucketSeconds: Int) async throws -> [RunActivity]{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func activeRunCount(tenantId: String) async throws -> Int{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func deliveryBacklog(tenantId: String) async throws -> DeliveryBacklog{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func runTimeline(tenantId: String, runId: String, afterId: String?, limit: Int) async throws -> RunTimelinePage?{
        throw PostgresStoreError.notImplemented(#function)
    }
}
