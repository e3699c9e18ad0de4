import CaseworkerCore
import CaseworkerStore
import GRDB

extension SQLiteStore: KeyStore {
    public func createKey(tenantId: String, name: String, scopes: [Scope], secret: APIKeySecret) async throws -> APIKey {
        let id = newId()
        let now = nowMillis
        let scopeText = scopes.columnText
        return try await write("createKey") { db in
            try db.execute(
                cached: "INSERT INTO tenants (id, created_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING",
                arguments: [tenantId, now])
            try db.execute(
                cached: """
                    INSERT INTO api_keys (id, tenant_id, name, scopes, secret_hash, secret_prefix, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [id, tenantId, name, scopeText, secret.hash, secret.prefix, now])
            return APIKey(
                id: id, tenantId: tenantId, name: name, scopes: scopes, prefix: secret.prefix,
                createdAt: Timestamp.date(millis: now), revokedAt: nil)
        }
    }

    public func activeKey(secretHash: String) async throws -> APIKey? {
        try await readStatement { db in
            try Row.fetchOne(
                db, cached: "SELECT * FROM api_keys WHERE secret_hash = ? AND revoked_at IS NULL",
                arguments: [secretHash],
                as: APIKey.init(row:))
        }
    }

    public func listKeys(tenantId: String?) async throws -> [APIKey] {
        try await pool.read { db in
            try Row.fetchAll(
                db, cached: "SELECT * FROM api_keys WHERE ?1 IS NULL OR tenant_id = ?1 ORDER BY id",
                arguments: [tenantId],
                as: APIKey.init(row:))
        }
    }

    public func revokeKey(id: String) async throws -> APIKey? {
        let now = nowMillis
        return try await write("revokeKey") { db in
            try db.execute(
                cached: "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", arguments: [now, id])
            return try Row.fetchOne(db, cached: "SELECT * FROM api_keys WHERE id = ?", arguments: [id], as: APIKey.init(row:))
        }
    }

    public func hasAnyKey() async throws -> Bool {
        try await pool.read { db in try Bool.fetchOne(db, cached: "SELECT EXISTS (SELECT 1 FROM api_keys)") ?? false }
    }
}

extension APIKey {
    init(row: Row) {
        self.init(
            id: row["id"], tenantId: row["tenant_id"], name: row["name"],
            scopes: [Scope](columnText: row["scopes"]),
            prefix: row["secret_prefix"],
            createdAt: Timestamp.date(millis: row["created_at"]),
            revokedAt: (row["revoked_at"] as Int64?).map(Timestamp.date(millis:)))
    }
}
