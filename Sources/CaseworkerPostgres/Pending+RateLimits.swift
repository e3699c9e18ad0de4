import CaseworkerCore
import CaseworkerStore
import Foundation

// TODO(#18): the PostgreSQL RateLimits store is not written yet: every method throws
// `PostgresStoreError.notImplemented`, and `database.url` is refused until none does.

extension PostgresStore {
    public func rateLimitPlace(of run: Run) async throws -> RateLimitPlace?{
        throw PostgresStoreError.notImplemented(#function)
    }
}
