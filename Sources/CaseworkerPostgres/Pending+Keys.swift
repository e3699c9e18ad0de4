import CaseworkerCore
import CaseworkerStore
import Foundation

// TODO(#18): the PostgreSQL Keys store is not written yet: every method throws
// `PostgresStoreError.notImplemented`, and `database.url` is refused until none does.

extension PostgresStore: KeyStore {
    public func createKey(tenantId: String, name: String, scopes: [Scope], secret: APIKeySecret) async throws -> APIKey{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func activeKey(secretHash: String) async throws -> APIKey?{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func listKeys(tenantId: String?) async throws -> [APIKey]{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func revokeKey(id: String) async throws -> APIKey?{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func hasAnyKey() async throws -> Bool{
        throw PostgresStoreError.notImplemented(#function)
    }
}
