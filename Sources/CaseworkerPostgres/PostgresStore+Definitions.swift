import CaseworkerCore
import CaseworkerStore
import PostgresNIO

/// Every write to a definition's versions (save or replace the draft, publish, delete the draft)
/// first locks the definition's row (`lockDefinition`), so that writes to one definition from any
/// instance apply one after the other: the next version number is allocated once, a draft is
/// replaced whole. Published versions are immutable whoever writes (the schema's trigger).
extension PostgresStore: DefinitionStore {
    public func saveDraft(
        tenantId: String, id: String, content: JSONValue, hash: String, actor: String, channel: String?, overwrite: Bool
    ) async throws -> DefinitionSave {
        let now = nowMillis
        let versionId = newId()
        let text = JSONText.encode(content)
        return try await write("saveDefinitionDraft") { tx in
            let created = try await Self.ensureDefinition(tx, tenantId: tenantId, id: id, now: now, overwrite: overwrite)
            let replaced = try await tx.row(
                """
                DELETE FROM workflow_definition_versions WHERE tenant_id = \(tenantId) AND definition_id = \(id) AND version = -1
                RETURNING created_at, created_by
                """)
            let createdAt = try replaced?["created_at"].decode(Int64.self) ?? now
            let createdBy = try replaced?["created_by"].decode(String.self) ?? actor
            try await tx.execute(
                """
                INSERT INTO workflow_definition_versions
                    (version_id, tenant_id, definition_id, version, content, hash, created_at, created_by, updated_at, updated_by, channel)
                VALUES (\(versionId), \(tenantId), \(id), -1, \(text), \(hash), \(createdAt), \(createdBy), \(now), \(actor), \(channel))
                """)
            let saved = try await Self.fetchVersion(tx, tenantId: tenantId, id: id, selector: .draft)!
            return DefinitionSave(saved: saved, createdDefinition: created, wroteVersion: true)
        }
    }

    public func publish(
        tenantId: String, id: String, content: JSONValue, hash: String, actor: String, channel: String?, overwrite: Bool
    ) async throws -> DefinitionSave {
        let now = nowMillis
        let versionId = newId()
        let text = JSONText.encode(content)
        return try await write("publishDefinition") { tx in
            let created = try await Self.ensureDefinition(tx, tenantId: tenantId, id: id, now: now, overwrite: overwrite)
            return try await Self.publish(
                tx, tenantId: tenantId, id: id, text: text, hash: hash, versionId: versionId, actor: actor, channel: channel, now: now,
                created: created)
        }
    }

    public func publishDraft(tenantId: String, id: String, actor: String, channel: String?) async throws -> DefinitionSave? {
        let now = nowMillis
        let versionId = newId()
        return try await write("publishDefinitionDraft") { tx in
            guard try await Self.lockDefinition(tx, tenantId: tenantId, id: id) else { return nil }
            guard
                let draft = try await tx.row(
                    """
                    DELETE FROM workflow_definition_versions WHERE tenant_id = \(tenantId) AND definition_id = \(id) AND version = -1
                    RETURNING content, hash
                    """)
            else { throw StoreError.conflict("workflow definition '\(id)' has no draft to publish") }
            return try await Self.publish(
                tx, tenantId: tenantId, id: id, text: try draft["content"].decode(String.self), hash: try draft["hash"].decode(String.self),
                versionId: versionId, actor: actor, channel: channel, now: now, created: false)
        }
    }

    public func findDefinition(tenantId: String, id: String, selector: VersionSelector) async throws -> DefinitionVersion? {
        try await snapshot { tx in try await Self.fetchVersion(tx, tenantId: tenantId, id: id, selector: selector) }
    }

    public func findRunnableVersion(tenantId: String, id: String, number: Int?) async throws -> RunnableVersion? {
        try await row(
            """
            SELECT v.version, v.version_id, d.disabled
            FROM workflow_definitions d
            JOIN workflow_definition_versions v ON v.tenant_id = d.tenant_id AND v.definition_id = d.id
            WHERE d.tenant_id = \(tenantId) AND d.id = \(id) AND v.version >= 1
                AND (\(number)::bigint IS NULL OR v.version = \(number))
            ORDER BY v.version DESC LIMIT 1
            """
        ).map {
            RunnableVersion(
                version: try $0["version"].decode(Int.self), versionId: try $0["version_id"].decode(String.self),
                disabled: try $0["disabled"].decode(Bool.self))
        }
    }

    public func listDefinitions(tenantId: String, tag: String?, page: PageRequest) async throws -> Page<DefinitionVersion> {
        try await snapshot { tx in
            var items: [DefinitionVersion] = []
            var after = page.beforeId ?? ""
            // Filtering by tag looks at each definition's current version, so scan in id order
            // until the page is full.
            while items.count <= page.limit {
                let ids = try await tx.rows(
                    "SELECT id FROM workflow_definitions WHERE tenant_id = \(tenantId) AND id > \(after) ORDER BY id LIMIT \(page.limit + 1)"
                ).map { try $0["id"].decode(String.self) }
                for definitionId in ids {
                    after = definitionId
                    guard let current = try await Self.fetchVersion(tx, tenantId: tenantId, id: definitionId, selector: .current) else {
                        continue
                    }
                    if let tag, !(current.content["tags"]?.arrayValue?.contains(.string(tag)) ?? false) { continue }
                    items.append(current)
                    if items.count > page.limit { break }
                }
                if ids.count <= page.limit { break }
            }
            return Page(items: Array(items.prefix(page.limit)), hasMore: items.count > page.limit)
        }
    }

    public func listVersions(tenantId: String, id: String, page: PageRequest) async throws -> Page<DefinitionVersion>? {
        try await snapshot { tx in
            guard try await tx.row("SELECT 1 FROM workflow_definitions WHERE tenant_id = \(tenantId) AND id = \(id)") != nil else {
                return nil
            }
            let before = page.beforeId.flatMap(Int.init) ?? Int.max
            let numbers = try await tx.rows(
                """
                SELECT version FROM workflow_definition_versions
                WHERE tenant_id = \(tenantId) AND definition_id = \(id) AND version >= 1 AND version < \(before)
                ORDER BY version DESC LIMIT \(page.limit + 1)
                """
            ).map { try $0["version"].decode(Int.self) }
            var items: [DefinitionVersion] = []
            for number in numbers.prefix(page.limit) {
                if let version = try await Self.fetchVersion(tx, tenantId: tenantId, id: id, selector: .number(number)) {
                    items.append(version)
                }
            }
            return Page(items: items, hasMore: numbers.count > page.limit)
        }
    }

    public func setDisabled(tenantId: String, id: String, disabled: Bool, actor: String) async throws -> DefinitionVersion? {
        try await write(disabled ? "disableDefinition" : "enableDefinition") { tx in
            try await tx.execute("UPDATE workflow_definitions SET disabled = \(disabled) WHERE tenant_id = \(tenantId) AND id = \(id)")
            return try await Self.fetchVersion(tx, tenantId: tenantId, id: id, selector: .current)
        }
    }

    public func deleteDraft(tenantId: String, id: String) async throws -> Bool? {
        try await write("deleteDefinitionDraft") { tx in
            guard try await Self.lockDefinition(tx, tenantId: tenantId, id: id) else { return nil }
            let deleted = try await tx.row(
                """
                DELETE FROM workflow_definition_versions WHERE tenant_id = \(tenantId) AND definition_id = \(id) AND version = -1
                RETURNING version
                """)
            return deleted != nil
        }
    }

    // MARK: - Inside transactions

    /// Creates the definition row if missing (`ON CONFLICT DO NOTHING`: of instances creating it
    /// at once, one does) and locks it; returns whether this transaction created it.
    private static func ensureDefinition(
        _ tx: PostgresTransaction, tenantId: String, id: String, now: Int64, overwrite: Bool
    ) async throws -> Bool {
        let inserted = try await tx.row(
            """
            INSERT INTO workflow_definitions (tenant_id, id, created_at) VALUES (\(tenantId), \(id), \(now))
            ON CONFLICT (tenant_id, id) DO NOTHING RETURNING id
            """)
        guard inserted != nil || overwrite else { throw StoreError.conflict("workflow definition '\(id)' exists and overwrite=false") }
        _ = try await lockDefinition(tx, tenantId: tenantId, id: id)
        return inserted != nil
    }

    /// Locks the definition's row (`FOR UPDATE`) until the transaction ends; `false` when there is
    /// no such definition.
    private static func lockDefinition(_ tx: PostgresTransaction, tenantId: String, id: String) async throws -> Bool {
        try await tx.row("SELECT 1 FROM workflow_definitions WHERE tenant_id = \(tenantId) AND id = \(id) FOR UPDATE") != nil
    }

    /// Publishes `text` as the next version, unless the latest has the same hash. The caller
    /// holds the definition's lock, so the number read is still the latest when inserted.
    private static func publish(
        _ tx: PostgresTransaction, tenantId: String, id: String, text: String, hash: String, versionId: String, actor: String,
        channel: String?, now: Int64, created: Bool
    ) async throws -> DefinitionSave {
        if let latest = try await fetchVersion(tx, tenantId: tenantId, id: id, selector: .latest), latest.hash == hash {
            return DefinitionSave(saved: latest, createdDefinition: created, wroteVersion: false)
        }
        let latest = try await tx.row(
            "SELECT MAX(version) FROM workflow_definition_versions WHERE tenant_id = \(tenantId) AND definition_id = \(id)"
        )?[0].decode(Int?.self)
        let next = max((latest ?? 0) + 1, 1)
        try await tx.execute(
            """
            INSERT INTO workflow_definition_versions
                (version_id, tenant_id, definition_id, version, content, hash, created_at, created_by, updated_at, updated_by, channel)
            VALUES (\(versionId), \(tenantId), \(id), \(next), \(text), \(hash), \(now), \(actor), \(now), \(actor), \(channel))
            """)
        let saved = try await fetchVersion(tx, tenantId: tenantId, id: id, selector: .number(next))!
        return DefinitionSave(saved: saved, createdDefinition: created, wroteVersion: true)
    }

    /// The version `selector` names, with the definition's published numbers and flags; two
    /// statements, so read it inside a write or a `snapshot`.
    static func fetchVersion(
        _ tx: PostgresTransaction, tenantId: String, id: String, selector: VersionSelector
    ) async throws -> DefinitionVersion? {
        guard
            let definition = try await tx.row(
                """
                SELECT d.disabled, ARRAY(
                    SELECT v.version FROM workflow_definition_versions v
                    WHERE v.tenant_id = d.tenant_id AND v.definition_id = d.id ORDER BY v.version) AS numbers
                FROM workflow_definitions d WHERE d.tenant_id = \(tenantId) AND d.id = \(id)
                """)
        else { return nil }
        let numbers = try definition["numbers"].decode([Int].self)
        let published = numbers.filter { $0 >= 1 }
        let hasDraft = numbers.contains(DefinitionVersion.draft)
        guard let wanted = selector.version(among: numbers),
            let row = try await tx.row(
                """
                SELECT * FROM workflow_definition_versions
                WHERE tenant_id = \(tenantId) AND definition_id = \(id) AND version = \(wanted)
                """)
        else { return nil }
        return try DefinitionVersion(
            row: row, definitionId: id, versions: published, hasDraft: hasDraft, disabled: try definition["disabled"].decode(Bool.self))
    }
}
