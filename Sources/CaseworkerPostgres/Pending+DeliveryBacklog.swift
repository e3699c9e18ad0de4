import CaseworkerCore
import CaseworkerStore
import Foundation

// TODO(#18): the PostgreSQL DeliveryBacklog store is not written yet: every method throws
// `PostgresStoreError.notImplemented`, and `database.url` is refused until none does.

extension PostgresStore: DeliveryBacklogStore {
    public func deliveryBacklog() async throws -> DeliveryBacklog{
        throw PostgresStoreError.notImplemented(#function)
    }
}
