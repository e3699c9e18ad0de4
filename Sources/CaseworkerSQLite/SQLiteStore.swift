import CaseworkerCore
import CaseworkerStore
import CoreMetrics
import Foundation
import GRDB
import Logging

/// The SQLite implementation of the storage boundary: one GRDB `DatabasePool` (WAL) on one file.
///
/// Create exactly one per process and database file (GRDB's "connect only once" rule); every
/// component shares it. Writes are intention-named transactions (`createCase`, `eraseCase`, ...);
/// reads run concurrently on the pool's reader connections.
public final class SQLiteStore: Sendable {
    /// How hard SQLite works to make a commit durable (`PRAGMA synchronous`).
    public enum Synchronous: String, Sendable, CaseIterable {
        /// A committed transaction survives power loss. The default.
        case full
        /// A committed transaction survives a crash of the process, but maybe not power loss.
        case normal
    }

    public struct Options: Sendable {
        /// The database file; its directory must exist.
        public var path: String
        /// Default `.full`.
        public var synchronous: Synchronous
        /// How long a write waits for another process's lock (e.g. the CLI beside the daemon).
        public var busyTimeout: Duration

        public init(path: String, synchronous: Synchronous = .full, busyTimeout: Duration = .seconds(5)) {
            self.path = path
            self.synchronous = synchronous
            self.busyTimeout = busyTimeout
        }
    }

    let pool: DatabasePool
    let clock: any WallClock
    public let ids = ULIDGenerator()
    public let signals = StoreSignals()
    /// Notified after every commit that inserted a webhook delivery (whoever wrote it: the engine
    /// through `enqueueEvent`, a redelivery), so the dispatcher sends it at once.
    public let outboxSignal = WorkSignal()
    let commitLatency: CommitLatency
    let storage: StorageState
    private let groupCommit: GroupCommit
    private let statementReaders: StatementReaders

    /// Opens (creating if needed) the database file. Does not migrate: call `migrate()`.
    /// `metricsFactory` receives the commit-latency histogram (`CommitLatency`).
    public init(
        options: Options, clock: any WallClock = SystemClock(), metricsFactory: any MetricsFactory = MetricsSystem.factory,
        logger: Logger = Logger(label: "caseworker.store")
    ) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        let timeout = options.busyTimeout.components
        configuration.busyMode = .timeout(Double(timeout.seconds) + Double(timeout.attoseconds) / 1e18)
        configuration.label = "caseworker"
        configuration.prepareDatabase { db in
            // Statement journals (SQLite writes one for an INSERT or UPDATE that may have to undo
            // itself, e.g. under foreign keys) and temporary b-trees stay in memory: on disk each
            // was a file opened and written inside the writer's transaction (docs/PERFORMANCE.md).
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            // Deleted and overwritten content is zeroed, free pages included, so that an erased
            // case's data is not left in the file's unused space (`eraseCase`).
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        pool = try DatabasePool(path: options.path, configuration: configuration)
        // DatabasePool switches the writer to WAL with synchronous=NORMAL after `prepareDatabase`
        // has run, so the durability setting is applied here, once the pool is open.
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = \(options.synchronous == .full ? "FULL" : "NORMAL")")
        }
        statementReaders = StatementReaders(path: options.path, maxCount: 4, configuration: configuration)
        self.clock = clock
        commitLatency = CommitLatency(factory: metricsFactory)
        storage = StorageState(databasePath: options.path, logger: logger, factory: metricsFactory)
        groupCommit = GroupCommit(pool: pool)
        pool.add(transactionObserver: OutboxCommitObserver(signal: outboxSignal), extent: .databaseLifetime)
    }

    /// Applies every migration not yet applied. Safe to call on every start and concurrently from
    /// several processes (SQLite serialises the writers).
    public func migrate() throws {
        try Migrations.migrator.migrate(pool)
    }

    /// Identifiers of the known migrations not yet applied to this database.
    public func pendingMigrations() throws -> [String] {
        let migrator = Migrations.migrator
        return try pool.read { db in
            let applied = try migrator.appliedIdentifiers(db)
            return migrator.migrations.filter { !applied.contains($0) }
        }
    }

    /// The effective `PRAGMA synchronous` of the writer connection: 1 = NORMAL, 2 = FULL.
    public func synchronousLevel() async throws -> Int {
        try await pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    /// The effective `PRAGMA journal_mode` (always `wal`).
    public func journalMode() async throws -> String {
        try await pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    /// Runs `body`, a read of exactly one SQL statement, without an explicit transaction, on this
    /// thread (`StatementReaders`; through the pool when they are all busy). SQLite runs a lone
    /// statement in its own read transaction, so it sees one consistent snapshot as under
    /// `pool.read`, which would add a `BEGIN` and a `COMMIT` (both prepared anew by GRDB on each
    /// read: 4% of the daemon's CPU under W1, docs/PERFORMANCE.md) and two thread hops. For hot
    /// lookups by key only: the caller's thread runs the statement. Reads of several statements
    /// that must agree use `pool.read`.
    func readStatement<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        if let value = try statementReaders.read(body) { return value }
        return try await pool.unsafeRead(body)
    }

    /// Runs `body` as one write named after its intention, atomically, and returns once it is
    /// committed. Concurrent writes share a transaction and its commit (`GroupCommit`): each body
    /// runs in its own savepoint, so one that throws changes nothing and the others still commit.
    /// The name labels the time the caller waited, commit included
    /// (`caseworker_db_commit_duration_seconds{transaction=name}`).
    ///
    /// A write refused for lack of space throws `StoreError.storageFull` (and marks the storage
    /// full, `StorageState`); the next committed write that changed something marks it writable.
    func write<T: Sendable>(_ name: StaticString, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let start = ContinuousClock.now
        let (value, changed): (T, Bool)
        do {
            (value, changed) = try await groupCommit.perform { db in
                let before = db.totalChangesCount
                let value = try body(db)
                return (value, db.totalChangesCount > before)
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_FULL {
            storage.markFull()
            throw StoreError.storageFull
        }
        if changed { storage.markWritable() }
        commitLatency.record(name, ContinuousClock.now - start)
        return value
    }

    func newId() -> String { ids.next(at: clock.now) }

    var nowMillis: Int64 { Timestamp.millis(clock.now) }
}

extension SQLiteStore: StoreHealth {
    public func checkReady() async throws {
        let pending = try pendingMigrations()
        guard pending.isEmpty else { throw NotReady(reason: "migrations not applied: \(pending.joined(separator: ", "))") }
        if storage.isFull {
            // A write that needs space: it succeeds (and clears the state) once there is some.
            do {
                try await write("storageProbe") { db in
                    try db.execute(sql: "INSERT OR REPLACE INTO storage_probe (id, filler) VALUES (1, zeroblob(65536))")
                    try db.execute(sql: "DELETE FROM storage_probe")
                }
            } catch StoreError.storageFull {
                throw NotReady(reason: "storage full: \(storage.freeBytes.map { "\($0) bytes free" } ?? "free space unknown")")
            }
        }
        // An immediate transaction takes the write lock: the file is writable and not stuck locked.
        try await pool.writeWithoutTransaction { db in try db.inTransaction(.immediate) { .commit } }
    }

    struct NotReady: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }
}

extension DatabaseError {
    /// Whether this error is a UNIQUE constraint violation mentioning `column` (e.g. `external_id`).
    func isUniqueViolation(on column: String) -> Bool {
        extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE && (message ?? "").contains(column)
    }
}
