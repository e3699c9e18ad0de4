import CaseworkerCore
import CaseworkerStore
import PostgresNIO

extension APIKey {
    /// A key from a row of `api_keys` (its scopes are stored space-separated).
    init(row: PostgresRandomAccessRow) throws {
        self.init(
            id: try row["id"].decode(String.self), tenantId: try row["tenant_id"].decode(String.self),
            name: try row["name"].decode(String.self),
            scopes: [Scope](columnText: try row["scopes"].decode(String.self)),
            prefix: try row["secret_prefix"].decode(String.self),
            createdAt: Timestamp.date(millis: try row["created_at"].decode(Int64.self)),
            revokedAt: try row["revoked_at"].decode(Int64?.self).map(Timestamp.date(millis:)))
    }
}
