import CaseworkerCore
import Foundation

/// An API key as stored: never the secret, only its SHA-256 and a displayable prefix.
public struct APIKey: Sendable, Hashable {
    public var id: String
    public var tenantId: String
    public var name: String
    public var scopes: [Scope]
    public var prefix: String
    public var createdAt: Date
    public var revokedAt: Date?

    public init(id: String, tenantId: String, name: String, scopes: [Scope], prefix: String, createdAt: Date, revokedAt: Date?) {
        self.id = id
        self.tenantId = tenantId
        self.name = name
        self.scopes = scopes
        self.prefix = prefix
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    /// Whether this key may perform `access` on `resource`.
    public func grants(_ access: Scope.Access, on resource: Scope.Resource) -> Bool {
        revokedAt == nil && scopes.contains { $0.grants(access, on: resource) }
    }
}

/// Tenants and their API keys.
public protocol KeyStore: Sendable {
    /// Stores a key for `tenantId` (creating the tenant on first use) under the secret's hash.
    func createKey(tenantId: String, name: String, scopes: [Scope], secret: APIKeySecret) async throws -> APIKey
    /// The unrevoked key whose secret hashes to `secretHash`, if any.
    func activeKey(secretHash: String) async throws -> APIKey?
    /// All keys, of one tenant or of all, oldest first.
    func listKeys(tenantId: String?) async throws -> [APIKey]
    /// Revokes a key; returns it, or `nil` if no key has that id. Revoking twice is harmless.
    func revokeKey(id: String) async throws -> APIKey?
    /// Whether any key exists (`serve --dev` creates one on first start when none does).
    func hasAnyKey() async throws -> Bool
}
