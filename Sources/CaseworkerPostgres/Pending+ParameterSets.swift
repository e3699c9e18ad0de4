import CaseworkerCore
import CaseworkerStore
import Foundation

// TODO(#18): the PostgreSQL ParameterSets store is not written yet: every method throws
// `PostgresStoreError.notImplemented`, and `database.url` is refused until none does.

extension PostgresStore: ParameterSetStore {
    public func createParameterSet(tenantId: String, input: ParameterSetInput) async throws -> ParameterSet{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func findParameterSet(tenantId: String, id: String) async throws -> ParameterSet?{
        throw PostgresStoreError.notImplemented(#function)
    }
}
