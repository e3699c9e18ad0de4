import CaseworkerPostgres
import CaseworkerSQLite
import CaseworkerStore
import Foundation

/// Everything the daemon and the commands use of a store, whichever database it is on.
public typealias InstanceStore = Store & DeliveryBacklogStore & MaintenanceStore

/// The store of an instance, as `Instance.openStore` opened it: SQLite (`database.path`, the
/// default) or PostgreSQL (`database.url`). The daemon and every command use it the same way:
/// `withRunning { migrate, then use store }`; only the backup differs.
public enum OpenedStore: Sendable {
    case sqlite(SQLiteStore)
    case postgres(PostgresStore)

    /// The store, for the engine, the dispatcher, the API and the commands.
    public var store: any InstanceStore {
        switch self {
        case .sqlite(let store): store
        case .postgres(let store): store
        }
    }

    /// Signalled after every commit that inserted a webhook delivery (on PostgreSQL, also one
    /// made by another instance): the dispatcher's wake-up.
    public var outboxSignal: WorkSignal {
        switch self {
        case .sqlite(let store): store.outboxSignal
        case .postgres(let store): store.outboxSignal
        }
    }

    /// Runs `body` while the store can serve it, and returns what it returns. SQLite needs
    /// nothing; PostgreSQL's connection pool and its listener for the other instances'
    /// notifications run for that time (`PostgresStore.withRunning`) and stop once `body` has
    /// returned: the daemon runs its whole service group inside, so that the store stops last.
    ///
    /// PostgreSQL must answer first: the pool retries a refused connection for ever (and logs
    /// each failure), so a server that does not accept one within `connectTimeout` (30 s)
    /// throws `DatabaseUnreachable` instead of leaving the command, or the daemon's start, hanging.
    public func withRunning<T: Sendable>(
        connectTimeout: Duration = .seconds(30), _ body: @Sendable () async throws -> T
    ) async throws -> T {
        switch self {
        case .sqlite: return try await body()
        case .postgres(let store):
            return try await store.withRunning {
                try await Self.reach(store, within: connectTimeout)
                return try await body()
            }
        }
    }

    /// Waits until `store` answers a query, at most `timeout`.
    private static func reach(_ store: PostgresStore, within timeout: Duration) async throws {
        let answered = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                _ = try await store.pendingMigrations()
                return true
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return false
            }
            defer { group.cancelAll() }
            return try await group.next() ?? false
        }
        guard answered else { throw DatabaseUnreachable(options: store.options, timeout: timeout) }
    }

    /// Applies every migration not yet applied; safe on every start, and from several instances
    /// starting at once (SQLite serialises its writers; PostgreSQL migrates under an advisory lock).
    public func migrate() async throws {
        switch self {
        case .sqlite(let store): try store.migrate()
        case .postgres(let store): try await store.migrate()
        }
    }

    /// Identifiers of the known migrations not yet applied.
    public func pendingMigrations() async throws -> [String] {
        switch self {
        case .sqlite(let store): try store.pendingMigrations()
        case .postgres(let store): try await store.pendingMigrations()
        }
    }

    /// `caseworker backup`: SQLite's online backup to `path`, checked (`SQLiteStore.backup`). A
    /// PostgreSQL database is backed up with PostgreSQL's own tools: this throws
    /// `BackupUnsupported`, which says which.
    public func backup(to path: String) throws {
        switch self {
        case .sqlite(let store): try store.backup(to: path)
        case .postgres: throw BackupUnsupported()
        }
    }
}

/// `caseworker backup` on PostgreSQL: what to use instead.
public struct BackupUnsupported: Error, CustomStringConvertible {
    public var description: String {
        """
        this instance's database is PostgreSQL (database.url), which caseworker backup does not copy: \
        back it up with PostgreSQL's own tools, pg_dump for a consistent logical copy while the \
        daemons serve (pg_dump --format=custom --file=caseworker.dump DB; restore with pg_restore), \
        or base backups with WAL archiving (pg_basebackup) for point-in-time recovery \
        (docs/operations.md, "Several instances on PostgreSQL")
        """
    }
}

/// PostgreSQL did not accept a connection in time (the store's log lines before say why).
public struct DatabaseUnreachable: Error, CustomStringConvertible {
    public var options: PostgresOptions
    public var timeout: Duration

    public var description: String {
        "PostgreSQL at \(options) did not accept a connection within \(timeout.components.seconds) s (database.url; the log lines above say why)"
    }
}
