import CaseworkerCore
import CaseworkerStore
import Foundation

// TODO(#18): the PostgreSQL Cases store is not written yet: every method throws
// `PostgresStoreError.notImplemented`, and `database.url` is refused until none does.

extension PostgresStore: CaseStore {
    public func createCase(tenantId: String, fields: CaseFields) async throws -> Case{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func findCase(tenantId: String, id: String) async throws -> Case?{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func listCases(tenantId: String, externalId: String?, page: PageRequest) async throws -> Page<Case>{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func updateCase(
        tenantId: String, id: String, change: @escaping @Sendable (Case) throws -> CaseFields
    ) async throws -> Case?{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func eraseCase(tenantId: String, id: String) async throws -> Case?{
        throw PostgresStoreError.notImplemented(#function)
    }
}
