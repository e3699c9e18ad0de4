import CaseworkerCore
import CaseworkerStore
import Foundation
import GRDB
import Testing

@testable import CaseworkerSQLite

@Suite struct RunStoreTests {
    /// `startRun` builds its answer from what it inserted instead of reading the row back: the
    /// two must agree, field for field.
    @Test func aStartedRunIsExactlyWhatIsStored() async throws {
        let (store, directory) = try temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: directory) }
        try store.migrate()
        _ = try await store.createKey(tenantId: "t", name: "k", scopes: [.admin], secret: .generate())
        let content: JSONValue = [
            "name": "x", "variables": ["threshold": ["type": "integer", "default": 50]],
            "steps": [["id": "a", "action": "transform", "config": ["set": ["n": 1]]], ["id": "b", "action": "complete"]],
        ]
        let version = try await store.publish(tenantId: "t", id: "d", content: content, hash: ContentHash.of(content), actor: "ada", channel: nil, overwrite: true)
        let caseRecord = try await store.createCase(tenantId: "t", fields: CaseFields(firstName: "Ada"))
        let definition = try WorkflowDefinition(parsing: content)
        let input: JSONValue = ["amount": 12.5, "tags": ["a", "b"], "nested": ["x": nil, "y": true], "text": "é/\"\n"]
        let start = RunStartContext(caseRecord: caseRecord, caseId: caseRecord.id, correlationId: "order-1", now: Date())
        let started = try await store.startRun(
            NewRun(
                id: ULIDGenerator().next(at: Date()), tenantId: "t", caseId: caseRecord.id, workflowDefinitionId: "d", version: version.saved.version,
                versionId: version.saved.versionId, parametersId: nil, input: input,
                plan: try definition.planRun(values: ["threshold": 70], input: input, start: start), correlationId: "order-1",
                channel: "web"))
        let stored = try #require(try await store.findRun(tenantId: "t", id: started.id))
        #expect(started == stored)
        #expect(started.status == .pending && started.currentStepId == "a" && started.params["threshold"] == 70)
    }
}

@Suite struct ConnectionSettingsTests {
    /// Statement journals and temporary b-trees stay in memory on every connection.
    @Test func temporaryStorageIsInMemoryForTheWriterAndTheReaders() async throws {
        let (store, directory) = try temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: directory) }
        let writer = try await store.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA temp_store") }
        let reader = try await store.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA temp_store") }
        let statementReader = try await store.readStatement { db in try Int.fetchOne(db, sql: "PRAGMA temp_store") }
        #expect(writer == 2 && reader == 2 && statementReader == 2, "2 = MEMORY")
    }

    /// The statement readers (`StatementReaders`) refuse writes, and each read sees every write
    /// committed before it started, whichever of the connections it lands on.
    @Test func statementReadersAreReadOnlyAndSeeEachCommit() async throws {
        let (store, directory) = try temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: directory) }
        try store.migrate()
        _ = try await store.createKey(tenantId: "t", name: "k", scopes: [.admin], secret: .generate())
        await #expect(throws: DatabaseError.self) {
            try await store.readStatement { db in try db.execute(sql: "INSERT INTO tenants (id, created_at) VALUES ('x', 0)") }
        }
        for index in 0..<12 {
            let caseRecord = try await store.createCase(tenantId: "t", fields: CaseFields(firstName: "Ada \(index)"))
            let found = try await store.findCase(tenantId: "t", id: caseRecord.id)
            #expect(found?.fields.firstName == "Ada \(index)")
        }
    }

    /// A statement reader that meets a lock does not sleep on the caller's thread: it answers
    /// `nil` at once (`readStatement` then reads through the pool, which waits on its own queue).
    /// The lock here is a rollback-journal database's exclusive lock, which keeps readers out.
    @Test func aStatementReaderThatMeetsALockStepsAsideAtOnce() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("caseworker-lock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("db.sqlite").path
        var lockerConfiguration = Configuration()
        lockerConfiguration.allowsUnsafeTransactions = true  // the lock outlives one access
        let locker = try DatabaseQueue(path: path, configuration: lockerConfiguration)
        try locker.write { db in try db.execute(sql: "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (7)") }
        let readers = StatementReaders(path: path, maxCount: 1, configuration: Configuration())
        let readValue = { try readers.read { db in try Int.fetchOne(db, sql: "SELECT x FROM t") } }
        #expect(try readValue() == 7)
        try locker.inDatabase { db in try db.execute(sql: "BEGIN EXCLUSIVE") }
        #expect(try readValue() == nil)
        // A connection opened while the lock is held steps aside the same way.
        let fresh = StatementReaders(path: path, maxCount: 1, configuration: Configuration())
        #expect(try fresh.read { db in try Int.fetchOne(db, sql: "SELECT x FROM t") } == nil)
        try locker.inDatabase { db in try db.execute(sql: "COMMIT") }
        #expect(try readValue() == 7)
    }
}
