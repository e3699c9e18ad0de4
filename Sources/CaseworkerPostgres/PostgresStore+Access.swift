import CaseworkerStore
import Logging
import PostgresNIO

extension PostgresStore {
    /// Runs `body` as one transaction named after its intention (READ COMMITTED, row locks where a
    /// statement needs them), and returns once it is committed; then fires the announcements the
    /// body made, here and, through `NOTIFY` in the same transaction, on the other instances.
    ///
    /// A transaction PostgreSQL aborts for a serialization failure or a deadlock is run again (at
    /// most `maxAttempts` times): the body must not act outside the database. A write refused
    /// for lack of space throws `StoreError.storageFull`; one the database could not be reached
    /// for, `StoreError.unavailable` (`connection`).
    func write<T: Sendable>(
        _ name: StaticString, _ body: (PostgresTransaction) async throws -> T
    ) async throws -> T {
        var attempt = 1
        while true {
            do {
                let (value, announcements) = try await connection { connection in
                    try await connection.query("BEGIN", logger: logger)
                    let transaction = PostgresTransaction(connection: connection, logger: logger)
                    do {
                        let value = try await body(transaction)
                        try await notifications.send(transaction.announcements, from: instanceId, in: transaction)
                        try await connection.query("COMMIT", logger: logger)
                        return (value, transaction.announcements)
                    } catch {
                        _ = try? await connection.query("ROLLBACK", logger: logger)
                        throw error
                    }
                }
                fire(announcements)
                return value
            } catch let error as PSQLError where error.isTransient && attempt < Self.maxAttempts {
                attempt += 1
            } catch let error as PSQLError where error.sqlState == "53100" {
                throw StoreError.storageFull
            }
        }
    }

    /// Runs `body` on a pooled connection, failing fast with `StoreError.unavailable` while the
    /// database cannot be reached: the pool would queue the request until a connection opens
    /// (up to a minute), so while the listening connection is down (`PostgresNotifications`)
    /// nothing waits for one, and a connection lost under `body` is reported the same way.
    func connection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        guard notifications.isReachable else { throw StoreError.unavailable }
        do {
            return try await client.withConnection(body)
        } catch let error as PSQLError where error.isConnectionLoss {
            throw StoreError.unavailable
        }
    }

    static let maxAttempts = 5

    /// Runs `body` on a pooled connection outside an explicit transaction: for reads of one
    /// statement (each sees one snapshot).
    func read<T: Sendable>(_ body: (PostgresTransaction) async throws -> T) async throws -> T {
        try await self.connection { connection in
            try await body(PostgresTransaction(connection: connection, logger: logger))
        }
    }

    /// Runs `body`, reads of several statements that must agree, in one read-only REPEATABLE READ
    /// transaction (one snapshot for all of them).
    func snapshot<T: Sendable>(_ body: (PostgresTransaction) async throws -> T) async throws -> T {
        try await self.connection { connection in
            try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
            let transaction = PostgresTransaction(connection: connection, logger: logger)
            do {
                let value = try await body(transaction)
                try await connection.query("COMMIT", logger: logger)
                return value
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    /// The rows of one read statement.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        try await read { try await $0.rows(query) }
    }

    /// The first row of one read statement, if any.
    func row(_ query: PostgresQuery) async throws -> PostgresRandomAccessRow? {
        try await rows(query).first
    }

    /// Fires this process's signals for announcements committed here or on another instance.
    func fire(_ announcements: [StoreAnnouncement]) {
        for announcement in announcements {
            switch announcement {
            case .runChanged(let id): signals.runChanges.notify(id)
            case .workAvailable: signals.workAvailable.signal()
            case .outbox: outboxSignal.signal()
            case .taskQueued(let tenantId): signals.runChanges.notify(StoreSignals.taskQueueKey(tenantId: tenantId))
            }
        }
    }
}

extension PSQLError {
    /// The SQLSTATE of a server error (e.g. `23505` for a unique violation), `nil` for a client one.
    var sqlState: String? { serverInfo?[.sqlState] }

    /// Whether this error is a unique violation of the constraint or index `name`.
    func isUniqueViolation(of name: String) -> Bool {
        sqlState == "23505" && serverInfo?[.constraintName] == name
    }

    /// A serialization failure or a deadlock: the transaction can be run again as it was.
    var isTransient: Bool { sqlState == "40001" || sqlState == "40P01" }

    /// The connection broke or could not be made (the server stopped or restarts, the network
    /// failed), or the server is shutting down (`57P01` and its kind).
    var isConnectionLoss: Bool {
        [.serverClosedConnection, .connectionError, .clientClosedConnection, .poolClosed].contains(code)
            || sqlState.map { $0.hasPrefix("57P") || $0.hasPrefix("08") } == true
    }
}
