import CaseworkerCore
import CaseworkerStore
import PostgresNIO

extension PostgresStore: WebhookEndpointStore {
    public func createEndpoint(tenantId: String, fields: WebhookEndpointFields, secret: String) async throws -> WebhookEndpoint {
        let id = newId()
        let now = nowMillis
        return try await write("createWebhookEndpoint") { tx in
            try await WebhookEndpoint(
                row: tx.row(
                    """
                    INSERT INTO webhook_endpoints (id, tenant_id, url, description, events, workflow_definition_ids, enabled, secret,
                        created_at, updated_at)
                    VALUES (\(id), \(tenantId), \(fields.url), \(fields.description), \(fields.eventsColumnText), \(fields.definitionIdsColumnText),
                        \(fields.enabled), \(secret), \(now), \(now))
                    RETURNING *
                    """)!)
        }
    }

    public func findEndpoint(tenantId: String, id: String) async throws -> WebhookEndpoint? {
        try await read { tx in try await Self.fetchEndpoint(tx, tenantId: tenantId, id: id) }
    }

    public func listEndpoints(tenantId: String, page: PageRequest) async throws -> Page<WebhookEndpoint> {
        let rows = try await rows(
            """
            SELECT * FROM webhook_endpoints
            WHERE tenant_id = \(tenantId) AND (\(page.beforeId)::text IS NULL OR id < \(page.beforeId))
            ORDER BY id DESC LIMIT \(page.limit + 1)
            """)
        return Page(items: try rows.prefix(page.limit).map(WebhookEndpoint.init(row:)), hasMore: rows.count > page.limit)
    }

    /// Reads the endpoint `FOR UPDATE`, so that concurrent changes of one endpoint (a client's,
    /// the dispatcher's disabling) apply one after the other, each to what the previous wrote.
    public func updateEndpoint(
        tenantId: String, id: String, change: @escaping @Sendable (WebhookEndpoint) throws -> WebhookEndpointFields
    ) async throws -> WebhookEndpoint? {
        let now = nowMillis
        return try await write("updateWebhookEndpoint") { tx -> WebhookEndpoint? in
            guard let current = try await Self.fetchEndpoint(tx, tenantId: tenantId, id: id, locking: true) else { return nil }
            let fields = try change(current)
            try await tx.execute(
                """
                UPDATE webhook_endpoints SET url = \(fields.url), description = \(fields.description), events = \(fields.eventsColumnText),
                    workflow_definition_ids = \(fields.definitionIdsColumnText), updated_at = \(now)
                WHERE tenant_id = \(tenantId) AND id = \(id)
                """)
            if fields.enabled != current.fields.enabled {
                if fields.enabled {
                    try await tx.execute(
                        """
                        UPDATE webhook_endpoints SET enabled = TRUE, disabled_reason = NULL, failing_since = NULL
                        WHERE tenant_id = \(tenantId) AND id = \(id)
                        """)
                } else {
                    try await Self.disableEndpoint(in: tx, tenantId: tenantId, id: id, reason: nil, now: now)
                }
            }
            return try await Self.fetchEndpoint(tx, tenantId: tenantId, id: id)
        }
    }

    public func deleteEndpoint(tenantId: String, id: String) async throws -> Bool {
        try await write("deleteWebhookEndpoint") { tx in
            // Deliveries and their attempts go with it (ON DELETE CASCADE).
            try await tx.row("DELETE FROM webhook_endpoints WHERE tenant_id = \(tenantId) AND id = \(id) RETURNING id") != nil
        }
    }

    public func rotateSecret(tenantId: String, id: String, newSecret: String, grace: Duration) async throws -> WebhookEndpoint? {
        let now = nowMillis
        let graceMillis = grace.wholeMilliseconds
        // With a grace, the current secret keeps signing until its end; without, it stops now.
        let previousSecretExpiresAt: Int64? = graceMillis > 0 ? now + graceMillis : nil
        return try await write("rotateWebhookSecret") { tx -> WebhookEndpoint? in
            try await tx.row(
                """
                UPDATE webhook_endpoints SET previous_secret = CASE WHEN \(previousSecretExpiresAt)::bigint IS NULL THEN NULL ELSE secret END,
                    previous_secret_expires_at = \(previousSecretExpiresAt), secret = \(newSecret), updated_at = \(now)
                WHERE tenant_id = \(tenantId) AND id = \(id)
                RETURNING *
                """
            ).map(WebhookEndpoint.init(row:))
        }
    }

    // MARK: - Inside transactions

    /// The endpoint, read `FOR UPDATE` with `locking` (for a transaction that then writes it).
    static func fetchEndpoint(
        _ tx: PostgresTransaction, tenantId: String, id: String, locking: Bool = false
    ) async throws -> WebhookEndpoint? {
        let lock = locking ? " FOR UPDATE" : ""
        return try await tx.row("SELECT * FROM webhook_endpoints WHERE tenant_id = \(tenantId) AND id = \(id)\(unescaped: lock)")
            .map(WebhookEndpoint.init(row:))
    }
}
