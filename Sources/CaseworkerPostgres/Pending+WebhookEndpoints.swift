import CaseworkerCore
import CaseworkerStore
import Foundation

// TODO(#18): the PostgreSQL WebhookEndpoints store is not written yet: every method throws
// `PostgresStoreError.notImplemented`, and `database.url` is refused until none does.

extension PostgresStore: WebhookEndpointStore {
    public func createEndpoint(tenantId: String, fields: WebhookEndpointFields, secret: String) async throws -> WebhookEndpoint{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func findEndpoint(tenantId: String, id: String) async throws -> WebhookEndpoint?{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func listEndpoints(tenantId: String, page: PageRequest) async throws -> Page<WebhookEndpoint>{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func updateEndpoint(
        tenantId: String, id: String, change: @escaping @Sendable (WebhookEndpoint) throws -> WebhookEndpointFields
    ) async throws -> WebhookEndpoint?{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func deleteEndpoint(tenantId: String, id: String) async throws -> Bool{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func rotateSecret(tenantId: String, id: String, newSecret: String, grace: Duration) async throws -> WebhookEndpoint?{
        throw PostgresStoreError.notImplemented(#function)
    }
}
