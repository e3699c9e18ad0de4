import CaseworkerCore
import CaseworkerStore
import Foundation

// TODO(#18): the PostgreSQL Idempotency store is not written yet: every method throws
// `PostgresStoreError.notImplemented`, and `database.url` is refused until none does.

extension PostgresStore: IdempotencyStore {
    public func beginIdempotentRequest(
        tenantId: String, key: String, requestHash: String, now: Date, lockedUntil: Date, expiresAt: Date
    ) async throws -> IdempotencyBegin{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func completeIdempotentRequest(tenantId: String, key: String, response: StoredResponse) async throws{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func abandonIdempotentRequest(tenantId: String, key: String) async throws{
        throw PostgresStoreError.notImplemented(#function)
    }
}
