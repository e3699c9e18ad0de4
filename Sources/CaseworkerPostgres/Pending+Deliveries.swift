import CaseworkerCore
import CaseworkerStore
import Foundation

// TODO(#18): the PostgreSQL Deliveries store is not written yet: every method throws
// `PostgresStoreError.notImplemented`, and `database.url` is refused until none does.

extension PostgresStore: DeliveryStore {
    public func claimDueDeliveries(
        limit: Int, perEndpointLimit: Int, inFlight: [String: Int], leaseOwner: String, leaseDuration: Duration, now: Date
    ) async throws -> [ClaimedDelivery]{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func releaseAbandonedLeases(now: Date) async throws -> Int{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func recordAttempt(
        deliveryId: String, leaseOwner: String, attempt: DeliveryAttempt, resolution: DeliveryResolution,
        shouldDisableEndpoint: @escaping @Sendable (_ failingSince: Date) -> Bool
    ) async throws -> RecordedAttempt?{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func listDeliveries(tenantId: String?, filter: DeliveryFilter, page: PageRequest) async throws -> Page<WebhookDelivery>{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func findDelivery(tenantId: String?, id: String) async throws -> WebhookDeliveryDetail?{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func redeliver(tenantId: String?, id: String) async throws -> WebhookDelivery?{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func redeliver(tenantId: String?, endpointId: String, since: Date) async throws -> [WebhookDelivery]?{
        throw PostgresStoreError.notImplemented(#function)
    }
}
