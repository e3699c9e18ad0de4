import CaseworkerCore
import Foundation

/// What a client sets on a webhook endpoint (create and `PATCH`).
public struct WebhookEndpointFields: Sendable, Hashable {
    /// An absolute `http` or `https` URL without user info (validated by the API).
    public var url: String
    public var description: String?
    /// The event types delivered to this endpoint; never empty.
    public var events: [WebhookEventType]
    /// The definitions whose runs' events are delivered to this endpoint (never empty); `nil`:
    /// every definition. Events without a definition are delivered whatever this says.
    public var workflowDefinitionIds: [String]?
    public var enabled: Bool

    public init(
        url: String, description: String? = nil, events: [WebhookEventType] = WebhookEventType.defaultSubscription,
        workflowDefinitionIds: [String]? = nil, enabled: Bool = true
    ) {
        self.url = url
        self.description = description
        self.events = events
        self.workflowDefinitionIds = workflowDefinitionIds
        self.enabled = enabled
    }
}

/// A tenant's webhook endpoint as stored, secrets included: callers decide what to show (the API
/// shows `secret` only in the answers of create and rotate-secret).
public struct WebhookEndpoint: Sendable, Hashable {
    public var id: String
    public var tenantId: String
    public var fields: WebhookEndpointFields
    /// The current signing secret, `whsec_<base64>`.
    public var secret: String
    /// The secret replaced by the last rotation, still signing until `previousSecretExpiresAt`.
    public var previousSecret: String?
    public var previousSecretExpiresAt: Date?
    /// Why the endpoint was disabled automatically (410 Gone, failing for too long); `nil` while
    /// enabled and when a client disabled it.
    public var disabledReason: String?
    /// The first failed attempt since the last successful one; `nil` while deliveries succeed.
    public var failingSince: Date?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, tenantId: String, fields: WebhookEndpointFields, secret: String, previousSecret: String?,
        previousSecretExpiresAt: Date?, disabledReason: String?, failingSince: Date?, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.tenantId = tenantId
        self.fields = fields
        self.secret = secret
        self.previousSecret = previousSecret
        self.previousSecretExpiresAt = previousSecretExpiresAt
        self.disabledReason = disabledReason
        self.failingSince = failingSince
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The secrets that sign a delivery attempted at `now`: the current one, and the previous one
    /// while its rotation grace lasts.
    public func activeSecrets(at now: Date) -> [String] {
        guard let previousSecret, let expires = previousSecretExpiresAt, expires > now else { return [secret] }
        return [secret, previousSecret]
    }
}

/// The webhook endpoints of each tenant (SPEC 3).
///
/// Disabling an endpoint (by a client, by a 410 answer or after failing for too long) moves its
/// `PENDING` deliveries to `FAILED`: they can be sent again with a redelivery once it is enabled.
/// Deleting an endpoint deletes its deliveries and their attempt log.
public protocol WebhookEndpointStore: Sendable {
    /// Stores a new endpoint with `secret` (`whsec_...`, already validated or generated).
    func createEndpoint(tenantId: String, fields: WebhookEndpointFields, secret: String) async throws -> WebhookEndpoint
    func findEndpoint(tenantId: String, id: String) async throws -> WebhookEndpoint?
    /// Endpoints newest first.
    func listEndpoints(tenantId: String, page: PageRequest) async throws -> Page<WebhookEndpoint>
    /// Replaces an endpoint's fields with `change(current)` inside the write transaction (which
    /// `change` may abort by throwing). Enabling clears `disabledReason` and `failingSince`;
    /// disabling fails the pending deliveries. `nil` for an unknown endpoint.
    func updateEndpoint(
        tenantId: String, id: String, change: @escaping @Sendable (WebhookEndpoint) throws -> WebhookEndpointFields
    ) async throws -> WebhookEndpoint?
    /// Deletes an endpoint with its deliveries and attempts; `false` for an unknown endpoint.
    func deleteEndpoint(tenantId: String, id: String) async throws -> Bool
    /// Makes `newSecret` the current secret; the old one keeps signing for `grace` (zero: it stops
    /// at once). A previous secret still in its grace is dropped: at most two secrets sign.
    /// `nil` for an unknown endpoint.
    func rotateSecret(tenantId: String, id: String, newSecret: String, grace: Duration) async throws -> WebhookEndpoint?
}
