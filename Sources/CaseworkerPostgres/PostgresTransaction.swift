import CaseworkerStore
import Logging
import PostgresNIO

/// What a commit announces: to this process's waiters (`StoreSignals`, the outbox signal) once it
/// has committed, and to the other instances through `NOTIFY`, which PostgreSQL delivers on commit.
enum StoreAnnouncement: Hashable, Sendable {
    /// The run's row changed (long polls of the run wake).
    case runChanged(String)
    /// Runs may have become due (a run was started, released or woken).
    case workAvailable
    /// A webhook delivery became due.
    case outbox
    /// A worker task of the tenant was queued (polling workers wake).
    case taskQueued(tenantId: String)
}

/// One open transaction: its connection, and the announcements its commit makes.
///
/// Not `Sendable`: it lives inside one `PostgresStore.write` call.
final class PostgresTransaction {
    let connection: PostgresConnection
    let logger: Logger
    private(set) var announcements: [StoreAnnouncement] = []

    init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Runs `query` and answers its rows.
    @discardableResult
    func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        try await connection.query(query, logger: logger).collect().map { $0.makeRandomAccess() }
    }

    /// Runs `query` and answers its first row, if any.
    func row(_ query: PostgresQuery) async throws -> PostgresRandomAccessRow? {
        try await rows(query).first
    }

    /// Runs `query` (a statement with no rows, or whose rows do not matter).
    func execute(_ query: PostgresQuery) async throws {
        try await connection.query(query, logger: logger).collect()
    }

    /// Makes the commit announce `announcement` (once, however often it is called).
    func announce(_ announcement: StoreAnnouncement) {
        if !announcements.contains(announcement) { announcements.append(announcement) }
    }
}
