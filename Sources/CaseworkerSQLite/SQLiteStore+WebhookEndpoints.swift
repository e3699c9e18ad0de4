import CaseworkerCore
import CaseworkerStore
import CaseworkerWebhookSigning
import Foundation
import GRDB

extension SQLiteStore: WebhookEndpointStore {
    public func createEndpoint(tenantId: String, fields: WebhookEndpointFields, secret: String) async throws -> WebhookEndpoint {
        let id = newId()
        let now = nowMillis
        return try await write("createWebhookEndpoint") { db in
            try db.execute(
                cached: """
                    INSERT INTO webhook_endpoints (id, tenant_id, url, description, events, workflow_definition_ids, enabled, secret,
                        created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    id, tenantId, fields.url, fields.description, fields.eventsColumnText,
                    fields.definitionIdsColumnText, fields.enabled, secret, now, now,
                ])
            return try Self.fetchEndpoint(db, tenantId: tenantId, id: id)!
        }
    }

    public func findEndpoint(tenantId: String, id: String) async throws -> WebhookEndpoint? {
        try await pool.read { db in try Self.fetchEndpoint(db, tenantId: tenantId, id: id) }
    }

    public func listEndpoints(tenantId: String, page: PageRequest) async throws -> Page<WebhookEndpoint> {
        try await pool.read { db in
            let rows = try Row.fetchAll(
                db,
                cached: "SELECT * FROM webhook_endpoints WHERE tenant_id = ?1 AND (?2 IS NULL OR id < ?2) ORDER BY id DESC LIMIT ?3",
                arguments: [tenantId, page.beforeId, page.limit + 1])
            return Page(items: try rows.prefix(page.limit).map(WebhookEndpoint.init(row:)), hasMore: rows.count > page.limit)
        }
    }

    public func updateEndpoint(
        tenantId: String, id: String, change: @escaping @Sendable (WebhookEndpoint) throws -> WebhookEndpointFields
    ) async throws -> WebhookEndpoint? {
        let now = nowMillis
        return try await write("updateWebhookEndpoint") { db -> WebhookEndpoint? in
            guard let current = try Self.fetchEndpoint(db, tenantId: tenantId, id: id) else { return nil }
            let fields = try change(current)
            try db.execute(
                cached: """
                    UPDATE webhook_endpoints SET url = ?, description = ?, events = ?, workflow_definition_ids = ?, updated_at = ?
                    WHERE tenant_id = ? AND id = ?
                    """,
                arguments: [
                    fields.url, fields.description, fields.eventsColumnText, fields.definitionIdsColumnText,
                    now, tenantId, id,
                ])
            if fields.enabled != current.fields.enabled {
                if fields.enabled {
                    try db.execute(
                        cached: """
                            UPDATE webhook_endpoints SET enabled = 1, disabled_reason = NULL, failing_since = NULL
                            WHERE tenant_id = ? AND id = ?
                            """,
                        arguments: [tenantId, id])
                } else {
                    try Self.disableEndpoint(db, tenantId: tenantId, id: id, reason: nil, now: now)
                }
            }
            return try Self.fetchEndpoint(db, tenantId: tenantId, id: id)
        }
    }

    public func deleteEndpoint(tenantId: String, id: String) async throws -> Bool {
        try await write("deleteWebhookEndpoint") { db in
            // Deliveries and their attempts go with it (ON DELETE CASCADE).
            try db.execute(cached: "DELETE FROM webhook_endpoints WHERE tenant_id = ? AND id = ?", arguments: [tenantId, id])
            return db.changesCount > 0
        }
    }

    public func rotateSecret(tenantId: String, id: String, newSecret: String, grace: Duration) async throws -> WebhookEndpoint? {
        let now = nowMillis
        let graceMillis = grace.wholeMilliseconds
        return try await write("rotateWebhookSecret") { db -> WebhookEndpoint? in
            if graceMillis > 0 {
                try db.execute(
                    cached: """
                        UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_expires_at = ?, secret = ?, updated_at = ?
                        WHERE tenant_id = ? AND id = ?
                        """,
                    arguments: [now + graceMillis, newSecret, now, tenantId, id])
            } else {
                try db.execute(
                    cached: """
                        UPDATE webhook_endpoints SET previous_secret = NULL, previous_secret_expires_at = NULL, secret = ?, updated_at = ?
                        WHERE tenant_id = ? AND id = ?
                        """,
                    arguments: [newSecret, now, tenantId, id])
            }
            return try Self.fetchEndpoint(db, tenantId: tenantId, id: id)
        }
    }

    // MARK: - Inside transactions

    static func fetchEndpoint(_ db: Database, tenantId: String, id: String) throws -> WebhookEndpoint? {
        try Row.fetchOne(db, cached: "SELECT * FROM webhook_endpoints WHERE tenant_id = ? AND id = ?", arguments: [tenantId, id],
            as: WebhookEndpoint.init(row:))
    }

    /// Disables an endpoint (`reason` `nil`: by a client) and fails its pending deliveries.
    static func disableEndpoint(_ db: Database, tenantId: String, id: String, reason: String?, now: Int64) throws {
        try db.execute(
            cached: "UPDATE webhook_endpoints SET enabled = 0, disabled_reason = ?, updated_at = ? WHERE tenant_id = ? AND id = ?",
            arguments: [reason, now, tenantId, id])
        try db.execute(
            sql: """
                UPDATE webhook_deliveries SET status = 'FAILED', next_attempt_at = NULL, updated_at = ?,
                    last_error = COALESCE(last_error || '; ', '') || ?
                WHERE tenant_id = ? AND endpoint_id = ? AND status = 'PENDING'
                """,
            arguments: [now, "endpoint disabled" + (reason.map { ": \($0)" } ?? ""), tenantId, id])
    }
}

extension WebhookEndpoint {
    init(row: Row) throws {
        self.init(
            id: row["id"], tenantId: row["tenant_id"],
            fields: WebhookEndpointFields(
                url: row["url"], description: row["description"], events: try WebhookEndpointFields.events(columnText: row["events"]),
                workflowDefinitionIds: try WebhookEndpointFields.definitionIds(columnText: row["workflow_definition_ids"]),
                enabled: row["enabled"]),
            secret: row["secret"], previousSecret: row["previous_secret"],
            previousSecretExpiresAt: (row["previous_secret_expires_at"] as Int64?).map(Timestamp.date(millis:)),
            disabledReason: row["disabled_reason"],
            failingSince: (row["failing_since"] as Int64?).map(Timestamp.date(millis:)),
            createdAt: Timestamp.date(millis: row["created_at"]), updatedAt: Timestamp.date(millis: row["updated_at"]))
    }
}
