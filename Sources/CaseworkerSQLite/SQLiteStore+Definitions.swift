import CaseworkerCore
import CaseworkerStore
import Foundation
import GRDB

extension SQLiteStore: DefinitionStore {
    public func saveDraft(
        tenantId: String, id: String, content: JSONValue, hash: String, actor: String, channel: String?, overwrite: Bool
    ) async throws -> DefinitionSave {
        let now = nowMillis
        let versionId = newId()
        let text = JSONText.encode(content)
        return try await write("saveDefinitionDraft") { db in
            let created = try Self.ensureDefinition(db, tenantId: tenantId, id: id, now: now, overwrite: overwrite)
            let existing = try Row.fetchOne(
                db, cached: "SELECT created_at, created_by FROM workflow_definition_versions WHERE tenant_id = ? AND definition_id = ? AND version = -1",
                arguments: [tenantId, id])
            try db.execute(
                cached: "DELETE FROM workflow_definition_versions WHERE tenant_id = ? AND definition_id = ? AND version = -1",
                arguments: [tenantId, id])
            try db.execute(
                cached: """
                    INSERT INTO workflow_definition_versions
                        (version_id, tenant_id, definition_id, version, content, hash, created_at, created_by, updated_at, updated_by,
                        channel)
                    VALUES (?, ?, ?, -1, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    versionId, tenantId, id, text, hash, existing?["created_at"] ?? now, existing?["created_by"] ?? actor, now, actor,
                    channel,
                ])
            let saved = try Self.fetchVersion(db, tenantId: tenantId, id: id, selector: .draft)!
            return DefinitionSave(saved: saved, createdDefinition: created, wroteVersion: true)
        }
    }

    public func publish(
        tenantId: String, id: String, content: JSONValue, hash: String, actor: String, channel: String?, overwrite: Bool
    ) async throws -> DefinitionSave {
        let now = nowMillis
        let versionId = newId()
        let text = JSONText.encode(content)
        return try await write("publishDefinition") { db in
            let created = try Self.ensureDefinition(db, tenantId: tenantId, id: id, now: now, overwrite: overwrite)
            return try Self.publish(
                db, tenantId: tenantId, id: id, text: text, hash: hash, versionId: versionId, actor: actor, channel: channel, now: now,
                created: created)
        }
    }

    public func publishDraft(tenantId: String, id: String, actor: String, channel: String?) async throws -> DefinitionSave? {
        let now = nowMillis
        let versionId = newId()
        return try await write("publishDefinitionDraft") { db in
            guard try Self.definitionExists(db, tenantId: tenantId, id: id) else { return nil }
            guard
                let draft = try Row.fetchOne(
                    db, cached: "SELECT content, hash FROM workflow_definition_versions WHERE tenant_id = ? AND definition_id = ? AND version = -1",
                    arguments: [tenantId, id])
            else { throw StoreError.conflict("workflow definition '\(id)' has no draft to publish") }
            try db.execute(
                cached: "DELETE FROM workflow_definition_versions WHERE tenant_id = ? AND definition_id = ? AND version = -1",
                arguments: [tenantId, id])
            return try Self.publish(
                db, tenantId: tenantId, id: id, text: draft["content"], hash: draft["hash"], versionId: versionId, actor: actor,
                channel: channel, now: now, created: false)
        }
    }

    public func findDefinition(tenantId: String, id: String, selector: VersionSelector) async throws -> DefinitionVersion? {
        try await pool.read { db in try Self.fetchVersion(db, tenantId: tenantId, id: id, selector: selector) }
    }

    public func findRunnableVersion(tenantId: String, id: String, number: Int?) async throws -> RunnableVersion? {
        try await readStatement { db in
            try Row.fetchOne(
                db,
                cached: """
                    SELECT v.version, v.version_id, d.disabled
                    FROM workflow_definitions d
                    JOIN workflow_definition_versions v ON v.tenant_id = d.tenant_id AND v.definition_id = d.id
                    WHERE d.tenant_id = ?1 AND d.id = ?2 AND v.version >= 1 AND (?3 IS NULL OR v.version = ?3)
                    ORDER BY v.version DESC LIMIT 1
                    """,
                arguments: [tenantId, id, number]
            ).map { RunnableVersion(version: $0["version"], versionId: $0["version_id"], disabled: $0["disabled"]) }
        }
    }

    public func listDefinitions(tenantId: String, tag: String?, page: PageRequest) async throws -> Page<DefinitionVersion> {
        try await pool.read { db in
            var items: [DefinitionVersion] = []
            var after = page.beforeId ?? ""
            // Filtering by tag looks at each definition's current version, so scan in id order
            // until the page is full.
            while items.count <= page.limit {
                let ids = try String.fetchAll(
                    db, cached: "SELECT id FROM workflow_definitions WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?",
                    arguments: [tenantId, after, page.limit + 1])
                for definitionId in ids {
                    after = definitionId
                    guard let current = try Self.fetchVersion(db, tenantId: tenantId, id: definitionId, selector: .current) else { continue }
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
        try await pool.read { db in
            guard try Self.definitionExists(db, tenantId: tenantId, id: id) else { return nil }
            let before = page.beforeId.flatMap(Int.init) ?? Int.max
            let numbers = try Int.fetchAll(
                db,
                cached: """
                    SELECT version FROM workflow_definition_versions
                    WHERE tenant_id = ? AND definition_id = ? AND version >= 1 AND version < ?
                    ORDER BY version DESC LIMIT ?
                    """,
                arguments: [tenantId, id, before, page.limit + 1])
            let items = try numbers.prefix(page.limit).compactMap {
                try Self.fetchVersion(db, tenantId: tenantId, id: id, selector: .number($0))
            }
            return Page(items: items, hasMore: numbers.count > page.limit)
        }
    }

    public func setDisabled(tenantId: String, id: String, disabled: Bool, actor: String) async throws -> DefinitionVersion? {
        try await write(disabled ? "disableDefinition" : "enableDefinition") { db in
            try db.execute(
                cached: "UPDATE workflow_definitions SET disabled = ? WHERE tenant_id = ? AND id = ?", arguments: [disabled, tenantId, id])
            return try Self.fetchVersion(db, tenantId: tenantId, id: id, selector: .current)
        }
    }

    public func deleteDraft(tenantId: String, id: String) async throws -> Bool? {
        try await write("deleteDefinitionDraft") { db in
            guard try Self.definitionExists(db, tenantId: tenantId, id: id) else { return nil }
            try db.execute(
                cached: "DELETE FROM workflow_definition_versions WHERE tenant_id = ? AND definition_id = ? AND version = -1",
                arguments: [tenantId, id])
            return db.changesCount > 0
        }
    }

    // MARK: - Inside transactions

    /// Creates the definition row if missing; returns whether it was created.
    private static func ensureDefinition(_ db: Database, tenantId: String, id: String, now: Int64, overwrite: Bool) throws -> Bool {
        if try definitionExists(db, tenantId: tenantId, id: id) {
            guard overwrite else { throw StoreError.conflict("workflow definition '\(id)' exists and overwrite=false") }
            return false
        }
        try db.execute(
            cached: "INSERT INTO workflow_definitions (tenant_id, id, created_at) VALUES (?, ?, ?)", arguments: [tenantId, id, now])
        return true
    }

    private static func definitionExists(_ db: Database, tenantId: String, id: String) throws -> Bool {
        try Bool.fetchOne(
            db, cached: "SELECT EXISTS (SELECT 1 FROM workflow_definitions WHERE tenant_id = ? AND id = ?)", arguments: [tenantId, id]) ?? false
    }

    private static func publish(
        _ db: Database, tenantId: String, id: String, text: String, hash: String, versionId: String, actor: String, channel: String?,
        now: Int64, created: Bool
    ) throws -> DefinitionSave {
        if let latest = try fetchVersion(db, tenantId: tenantId, id: id, selector: .latest), latest.hash == hash {
            return DefinitionSave(saved: latest, createdDefinition: created, wroteVersion: false)
        }
        let next =
            (try Int.fetchOne(
                db, cached: "SELECT MAX(version) FROM workflow_definition_versions WHERE tenant_id = ? AND definition_id = ?",
                arguments: [tenantId, id]) ?? 0) + 1
        try db.execute(
            cached: """
                INSERT INTO workflow_definition_versions
                    (version_id, tenant_id, definition_id, version, content, hash, created_at, created_by, updated_at, updated_by, channel)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [versionId, tenantId, id, max(next, 1), text, hash, now, actor, now, actor, channel])
        let saved = try fetchVersion(db, tenantId: tenantId, id: id, selector: .number(max(next, 1)))!
        return DefinitionSave(saved: saved, createdDefinition: created, wroteVersion: true)
    }

    static func fetchVersion(_ db: Database, tenantId: String, id: String, selector: VersionSelector) throws -> DefinitionVersion? {
        guard
            let definition = try Row.fetchOne(
                db, cached: "SELECT disabled FROM workflow_definitions WHERE tenant_id = ? AND id = ?", arguments: [tenantId, id])
        else { return nil }
        let numbers = try Int.fetchAll(
            db, cached: "SELECT version FROM workflow_definition_versions WHERE tenant_id = ? AND definition_id = ? ORDER BY version",
            arguments: [tenantId, id])
        let published = numbers.filter { $0 >= 1 }
        let hasDraft = numbers.contains(DefinitionVersion.draft)
        guard let wanted = selector.version(among: numbers),
            let row = try Row.fetchOne(
                db, cached: "SELECT * FROM workflow_definition_versions WHERE tenant_id = ? AND definition_id = ? AND version = ?",
                arguments: [tenantId, id, wanted])
        else { return nil }
        let content: String = row["content"]
        return DefinitionVersion(
            definitionId: id, version: row["version"], versionId: row["version_id"], content: try JSONText.decode(content),
            hash: row["hash"], versions: published, hasDraft: hasDraft, disabled: definition["disabled"],
            createdAt: Timestamp.date(millis: row["created_at"]), createdBy: row["created_by"],
            updatedAt: Timestamp.date(millis: row["updated_at"]), updatedBy: row["updated_by"], channel: row["channel"])
    }
}
