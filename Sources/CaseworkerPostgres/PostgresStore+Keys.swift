import CaseworkerCore
import CaseworkerStore
import PostgresNIO

extension PostgresStore: KeyStore {
    /// Creates the tenant row when missing (`ON CONFLICT DO NOTHING`: instances creating a new
    /// tenant's first keys at once both succeed) and the key, in one transaction.
    public func createKey(tenantId: String, name: String, scopes: [Scope], secret: APIKeySecret) async throws -> APIKey {
        let id = newId()
        let now = nowMillis
        let scopeText = scopes.columnText
        return try await write("createKey") { tx in
            try await tx.execute("INSERT INTO tenants (id, created_at) VALUES (\(tenantId), \(now)) ON CONFLICT (id) DO NOTHING")
            try await tx.execute(
                """
                INSERT INTO api_keys (id, tenant_id, name, scopes, secret_hash, secret_prefix, created_at)
                VALUES (\(id), \(tenantId), \(name), \(scopeText), \(secret.hash), \(secret.prefix), \(now))
                """)
            return APIKey(
                id: id, tenantId: tenantId, name: name, scopes: scopes, prefix: secret.prefix,
                createdAt: Timestamp.date(millis: now), revokedAt: nil)
        }
    }

    public func activeKey(secretHash: String) async throws -> APIKey? {
        try await row("SELECT * FROM api_keys WHERE secret_hash = \(secretHash) AND revoked_at IS NULL").map(APIKey.init(row:))
    }

    public func listKeys(tenantId: String?) async throws -> [APIKey] {
        let rows =
            if let tenantId {
                try await rows("SELECT * FROM api_keys WHERE tenant_id = \(tenantId) ORDER BY id")
            } else {
                try await rows("SELECT * FROM api_keys ORDER BY id")
            }
        return try rows.map(APIKey.init(row:))
    }

    /// One conditional statement: a key revoked already keeps its first revocation time.
    public func revokeKey(id: String) async throws -> APIKey? {
        let now = nowMillis
        return try await write("revokeKey") { tx in
            try await tx.row("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, \(now)) WHERE id = \(id) RETURNING *")
                .map(APIKey.init(row:))
        }
    }

    public func hasAnyKey() async throws -> Bool {
        try await row("SELECT EXISTS (SELECT 1 FROM api_keys)")?[0].decode(Bool.self) ?? false
    }
}
