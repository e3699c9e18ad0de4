import CaseworkerCore
import CaseworkerStore
import Foundation
import GRDB
import Testing

@testable import CaseworkerSQLite

/// A fresh database file in its own temporary directory.
func temporaryDatabase(_ synchronous: SQLiteStore.Synchronous = .full) throws -> (SQLiteStore, URL) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("caseworker-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let store = try SQLiteStore(options: .init(path: directory.appendingPathComponent("db.sqlite").path, synchronous: synchronous))
    return (store, directory)
}

@Suite struct MigrationTests {
    @Test func migratesAnEmptyDatabaseOnceAndIsIdempotent() async throws {
        let (store, directory) = try temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(
            try store.pendingMigrations() == [
                "v1-tenants-keys-cases-parameters", "v2-workflow-definitions", "v3-webhooks", "v4-runs", "v5-waiting",
                "v6-idempotency-keys",
                "v7-composition", "v8-claims-without-scanning-backlogs", "v9-list-filters", "v10-erasure-of-idempotent-responses",
                "v11-endpoint-definition-filter",
                "v12-leased-claims-executor-failures", "v13-custom-events-definition-channel", "v14-runs-by-correlation-id",
                "v15-parallel-branches", "v16-worker-tasks",
            ])
        await #expect(throws: (any Error).self) { try await store.checkReady() }
        try store.migrate()
        #expect(try store.pendingMigrations().isEmpty)
        try store.migrate()
        try await store.checkReady()
        let tables = try await store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'grdb%' ORDER BY name")
        }
        #expect(
            tables == [
                "api_keys", "cases", "idempotency_keys", "parameter_sets", "run_signals", "run_tasks", "runs", "storage_probe", "tenants",
                "webhook_deliveries",
                "webhook_delivery_attempts", "webhook_endpoints", "webhook_events", "worker_task_leases", "worker_tasks",
                "workflow_definition_versions",
                "workflow_definitions",
            ])
    }

    @Test func durabilitySettingsStick() async throws {
        let (full, dirFull) = try temporaryDatabase(.full)
        defer { try? FileManager.default.removeItem(at: dirFull) }
        #expect(try await full.synchronousLevel() == 2)
        #expect(try await full.journalMode() == "wal")
        let (normal, dirNormal) = try temporaryDatabase(.normal)
        defer { try? FileManager.default.removeItem(at: dirNormal) }
        #expect(try await normal.synchronousLevel() == 1)
        let foreignKeys = try await full.pool.read { db in try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") }
        #expect(foreignKeys == true)
    }

    @Test func theSchemaRefusesAnErasedCaseWithPersonalData() async throws {
        let (store, directory) = try temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: directory) }
        try store.migrate()
        _ = try await store.createKey(tenantId: "t", name: "k", scopes: [.admin], secret: .generate())
        let created = try await store.createCase(tenantId: "t", fields: CaseFields(firstName: "Ada"))
        await #expect(throws: DatabaseError.self) {
            try await store.pool.write { db in
                try db.execute(sql: "UPDATE cases SET erased_at = 1 WHERE id = ?", arguments: [created.id])
            }
        }
        await #expect(throws: DatabaseError.self) {
            try await store.pool.write { db in
                try db.execute(sql: "INSERT INTO cases (id, tenant_id, created_at, updated_at) VALUES ('x', 'no-such-tenant', 0, 0)")
            }
        }
    }
}

@Suite struct CaseStoreTests {
    func store() async throws -> (SQLiteStore, URL) {
        let (store, directory) = try temporaryDatabase()
        try store.migrate()
        _ = try await store.createKey(tenantId: "a", name: "k", scopes: [.admin], secret: .generate())
        _ = try await store.createKey(tenantId: "b", name: "k", scopes: [.admin], secret: .generate())
        return (store, directory)
    }

    @Test func everyQueryIsScopedByTenant() async throws {
        let (store, directory) = try await store()
        defer { try? FileManager.default.removeItem(at: directory) }
        let created = try await store.createCase(tenantId: "a", fields: CaseFields(externalId: "x", firstName: "Ada"))
        #expect(try await store.findCase(tenantId: "a", id: created.id) == created)
        #expect(try await store.findCase(tenantId: "b", id: created.id) == nil)
        #expect(try await store.listCases(tenantId: "b", externalId: nil, page: .init(limit: 10)).items.isEmpty)
        #expect(try await store.updateCase(tenantId: "b", id: created.id) { _ in CaseFields() } == nil)
        #expect(try await store.eraseCase(tenantId: "b", id: created.id) == nil)
        #expect(try await store.findCase(tenantId: "a", id: created.id) == created)
    }

    @Test func externalIdIsUniquePerTenant() async throws {
        let (store, directory) = try await store()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try await store.createCase(tenantId: "a", fields: CaseFields(externalId: "crm-1"))
        await #expect(throws: StoreError.duplicate(field: "externalId")) {
            try await store.createCase(tenantId: "a", fields: CaseFields(externalId: "crm-1"))
        }
        _ = try await store.createCase(tenantId: "b", fields: CaseFields(externalId: "crm-1"))
        let other = try await store.createCase(tenantId: "a", fields: CaseFields(externalId: "crm-2"))
        await #expect(throws: StoreError.duplicate(field: "externalId")) {
            try await store.updateCase(tenantId: "a", id: other.id) { _ in CaseFields(externalId: "crm-1") }
        }
    }

    @Test func updateIsAtomicAndAFailingChangeWritesNothing() async throws {
        let (store, directory) = try await store()
        defer { try? FileManager.default.removeItem(at: directory) }
        let created = try await store.createCase(tenantId: "a", fields: CaseFields(firstName: "Ada"))
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            try await store.updateCase(tenantId: "a", id: created.id) { _ in throw Refused() }
        }
        #expect(try await store.findCase(tenantId: "a", id: created.id) == created)
        let updated = try await store.updateCase(tenantId: "a", id: created.id) { current in
            var fields = current.fields
            fields.lastName = "Lovelace"
            return fields
        }
        #expect(updated?.fields == CaseFields(firstName: "Ada", lastName: "Lovelace"))
        #expect(try await store.findCase(tenantId: "a", id: created.id) == updated)
    }

    @Test func erasureWipesEverythingButTheIdAndIsFinal() async throws {
        let (store, directory) = try await store()
        defer { try? FileManager.default.removeItem(at: directory) }
        let created = try await store.createCase(
            tenantId: "a", fields: CaseFields(externalId: "crm-9", firstName: "Ada", email: "ada@example.com", data: ["k": 1]))
        let erased = try #require(try await store.eraseCase(tenantId: "a", id: created.id))
        #expect(erased.fields == .erased)
        #expect(erased.erasedAt != nil)
        #expect(erased.createdAt == created.createdAt)
        let again = try await store.eraseCase(tenantId: "a", id: created.id)
        #expect(again?.erasedAt == erased.erasedAt)
        await #expect(throws: StoreError.conflict("the case is erased")) {
            try await store.updateCase(tenantId: "a", id: created.id) { _ in CaseFields(firstName: "Ada") }
        }
        // Nothing personal is left in the file's table.
        let leftovers = try await store.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM cases WHERE id = ?", arguments: [created.id])
        }
        for column in ["external_id", "first_name", "email", "data"] { #expect(leftovers?[column] as String? == nil) }
    }

    @Test func listsPageNewestFirstWithoutGapsOrRepeats() async throws {
        let (store, directory) = try await store()
        defer { try? FileManager.default.removeItem(at: directory) }
        var ids: [String] = []
        for _ in 0..<7 { ids.append(try await store.createCase(tenantId: "a", fields: CaseFields()).id) }
        var seen: [String] = []
        var request = PageRequest(limit: 3)
        while true {
            let page = try await store.listCases(tenantId: "a", externalId: nil, page: request)
            seen += page.items.map(\.id)
            guard page.hasMore else { break }
            request.beforeId = page.items.last?.id
        }
        #expect(seen == ids.reversed())
    }
}

@Suite struct KeyStoreTests {
    @Test func keysAreFoundByHashUntilRevoked() async throws {
        let (store, directory) = try temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: directory) }
        try store.migrate()
        #expect(try await store.hasAnyKey() == false)
        let secret = APIKeySecret.generate()
        let key = try await store.createKey(tenantId: "acme", name: "ci", scopes: [.of(.cases, .read), .of(.workflows, .write)], secret: secret)
        #expect(try await store.hasAnyKey())
        #expect(try await store.activeKey(secretHash: secret.hash) == key)
        #expect(try await store.activeKey(secretHash: APIKeySecret.hash("other")) == nil)
        #expect(try await store.listKeys(tenantId: "acme") == [key])
        #expect(try await store.listKeys(tenantId: "nobody").isEmpty)

        let revoked = try #require(try await store.revokeKey(id: key.id))
        #expect(revoked.revokedAt != nil)
        #expect(try await store.activeKey(secretHash: secret.hash) == nil)
        #expect(try await store.revokeKey(id: "no-such-key") == nil)
        // The secret itself is nowhere in the database.
        let stored = try await store.pool.read { db in try String.fetchAll(db, sql: "SELECT secret_hash || secret_prefix FROM api_keys") }
        #expect(!stored.contains { $0.contains(secret.text) })
    }
}

@Suite struct DefinitionStoreTests {
    @Test func publishedVersionsAreImmutableInTheSchemaItself() async throws {
        let (store, directory) = try temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: directory) }
        try store.migrate()
        _ = try await store.createKey(tenantId: "t", name: "k", scopes: [.admin], secret: .generate())
        let content: JSONValue = ["name": "x", "steps": [["id": "a", "action": "complete"]]]
        let v1 = try await store.publish(tenantId: "t", id: "d", content: content, hash: ContentHash.of(content), actor: "ada", channel: nil, overwrite: true)
        #expect(v1.saved.version == 1)
        #expect(v1.createdDefinition)
        await #expect(throws: DatabaseError.self) {
            try await store.pool.write { db in
                try db.execute(sql: "UPDATE workflow_definition_versions SET content = '{}' WHERE version = 1")
            }
        }
        await #expect(throws: DatabaseError.self) {
            try await store.pool.write { db in try db.execute(sql: "DELETE FROM workflow_definition_versions WHERE version = 1") }
        }
        let again = try await store.publish(tenantId: "t", id: "d", content: content, hash: ContentHash.of(content), actor: "bob", channel: nil, overwrite: true)
        #expect(!again.wroteVersion)
        #expect(again.saved == v1.saved)
        await #expect(throws: StoreError.self) {
            try await store.saveDraft(tenantId: "t", id: "d", content: content, hash: ContentHash.of(content), actor: "ada", channel: nil, overwrite: false)
        }
    }

    @Test func aReplacedDraftKeepsItsCreatorAndGetsANewVersionId() async throws {
        let (store, directory) = try temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: directory) }
        try store.migrate()
        _ = try await store.createKey(tenantId: "t", name: "k", scopes: [.admin], secret: .generate())
        let one: JSONValue = ["name": "one", "steps": [["id": "a", "action": "complete"]]]
        let two: JSONValue = ["name": "two", "steps": [["id": "a", "action": "complete"]]]
        let first = try await store.saveDraft(tenantId: "t", id: "d", content: one, hash: ContentHash.of(one), actor: "ada", channel: nil, overwrite: true)
        let second = try await store.saveDraft(tenantId: "t", id: "d", content: two, hash: ContentHash.of(two), actor: "bob", channel: nil, overwrite: true)
        #expect(second.saved.createdBy == "ada")
        #expect(second.saved.updatedBy == "bob")
        #expect(second.saved.versionId != first.saved.versionId)
        #expect(second.saved.content == two)
        #expect(!second.createdDefinition)
        #expect(try await store.findDefinition(tenantId: "other", id: "d", selector: .current) == nil)
    }

    @Test func aRunnableVersionIsTheLatestPublishedOrTheOneAskedForNeverTheDraft() async throws {
        let (store, directory) = try temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: directory) }
        try store.migrate()
        _ = try await store.createKey(tenantId: "t", name: "k", scopes: [.admin], secret: .generate())
        let one: JSONValue = ["name": "one", "steps": [["id": "a", "action": "complete"]]]
        let two: JSONValue = ["name": "two", "steps": [["id": "a", "action": "complete"]]]
        _ = try await store.saveDraft(tenantId: "t", id: "d", content: one, hash: ContentHash.of(one), actor: "ada", channel: nil, overwrite: true)
        #expect(try await store.findRunnableVersion(tenantId: "t", id: "d", number: nil) == nil)
        let v1 = try await store.publish(tenantId: "t", id: "d", content: one, hash: ContentHash.of(one), actor: "ada", channel: nil, overwrite: true)
        let v2 = try await store.publish(tenantId: "t", id: "d", content: two, hash: ContentHash.of(two), actor: "ada", channel: nil, overwrite: true)
        #expect(
            try await store.findRunnableVersion(tenantId: "t", id: "d", number: nil)
                == RunnableVersion(version: 2, versionId: v2.saved.versionId, disabled: false))
        #expect(try await store.findRunnableVersion(tenantId: "t", id: "d", number: 1)?.versionId == v1.saved.versionId)
        #expect(try await store.findRunnableVersion(tenantId: "t", id: "d", number: 3) == nil)
        #expect(try await store.findRunnableVersion(tenantId: "t", id: "d", number: -1) == nil)
        #expect(try await store.findRunnableVersion(tenantId: "other", id: "d", number: nil) == nil)
        _ = try await store.setDisabled(tenantId: "t", id: "d", disabled: true, actor: "ada")
        #expect(try await store.findRunnableVersion(tenantId: "t", id: "d", number: 1)?.disabled == true)
        #expect(try await store.definitionContent(versionId: v2.saved.versionId) == two)
    }
}

/// Group commit (`SQLiteStore.write`): concurrent writes share transactions, each body in its own
/// savepoint.
@Suite struct GroupCommitTests {
    @Test func concurrentWritesAllCommitAndAFailingOneIsRolledBackAlone() async throws {
        let (store, directory) = try temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: directory) }
        try store.migrate()
        struct Refused: Error {}
        let results = await withTaskGroup(of: (Int, Bool).self) { group in
            for index in 0..<400 {
                group.addTask {
                    do {
                        try await store.write("test") { db in
                            try db.execute(sql: "INSERT INTO tenants (id, created_at) VALUES (?, 0)", arguments: ["t\(index)"])
                            // Every seventh body fails after its insert: only its own write is undone.
                            if index % 7 == 0 { throw Refused() }
                        }
                        return (index, true)
                    } catch {
                        return (index, false)
                    }
                }
            }
            return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        let stored = Set(try await store.pool.read { db in try String.fetchAll(db, sql: "SELECT id FROM tenants") })
        for index in 0..<400 {
            #expect(results[index] == (index % 7 != 0))
            #expect(stored.contains("t\(index)") == (index % 7 != 0))
        }
    }

    @Test func aWriteSeesEarlierWritesAndAFailedWriteChangesNothing() async throws {
        let (store, directory) = try temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: directory) }
        try store.migrate()
        try await store.write("first") { db in try db.execute(sql: "INSERT INTO tenants (id, created_at) VALUES ('a', 0)") }
        let count = try await store.write("second") { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tenants") ?? 0 }
        #expect(count == 1)
        // A constraint violation is the failing body's own error, and leaves the rest intact.
        await #expect(throws: DatabaseError.self) {
            try await store.write("duplicate") { db in try db.execute(sql: "INSERT INTO tenants (id, created_at) VALUES ('a', 0)") }
        }
        #expect(try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tenants") } == 1)
    }
}
