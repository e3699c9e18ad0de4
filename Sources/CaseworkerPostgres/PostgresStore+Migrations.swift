import Foundation
import CaseworkerStore
import PostgresNIO

extension PostgresStore {
    /// Applies every migration not yet applied, each in its own transaction. Safe to call on every
    /// start, from several instances starting at once: a session advisory lock serialises them, so
    /// the schema is migrated once and the others find nothing pending.
    public func migrate() async throws {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(PostgresMigrations.lockKey))", logger: logger)
            do {
                try await connection.query(
                    "CREATE TABLE IF NOT EXISTS caseworker_migrations (identifier TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)",
                    logger: logger)
                let applied = try await Self.appliedMigrations(connection, logger: logger)
                for migration in PostgresMigrations.all where !applied.contains(migration.identifier) {
                    try await connection.query("BEGIN", logger: logger)
                    do {
                        for statement in PostgresMigrations.statements(of: migration.sql) {
                            try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                        }
                        try await connection.query(
                            "INSERT INTO caseworker_migrations (identifier, applied_at) VALUES (\(migration.identifier), \(nowMillis))",
                            logger: logger)
                        try await connection.query("COMMIT", logger: logger)
                    } catch {
                        _ = try? await connection.query("ROLLBACK", logger: logger)
                        throw error
                    }
                }
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(PostgresMigrations.lockKey))", logger: logger)
                throw error
            }
            try await connection.query("SELECT pg_advisory_unlock(\(PostgresMigrations.lockKey))", logger: logger)
        }
    }

    /// Identifiers of the known migrations not yet applied to this database.
    public func pendingMigrations() async throws -> [String] {
        try await client.withConnection { connection in
            let exists = try await connection.query("SELECT to_regclass('caseworker_migrations') IS NOT NULL", logger: logger)
                .collect().first?.decode(Bool.self) ?? false
            let applied = exists ? try await Self.appliedMigrations(connection, logger: logger) : []
            return PostgresMigrations.all.map(\.identifier).filter { !applied.contains($0) }
        }
    }

    private static func appliedMigrations(_ connection: PostgresConnection, logger: Logger) async throws -> Set<String> {
        var applied = Set<String>()
        for try await identifier in try await connection.query("SELECT identifier FROM caseworker_migrations", logger: logger)
            .decode(String.self)
        {
            applied.insert(identifier)
        }
        return applied
    }
}

extension PostgresStore: StoreHealth {
    /// Throws unless the database answers, accepts a write transaction and has every migration.
    public func checkReady() async throws {
        let pending = try await pendingMigrations()
        guard pending.isEmpty else { throw NotReady(reason: "migrations not applied: \(pending.joined(separator: ", "))") }
        try await write("readiness") { transaction in
            if try await transaction.row("SELECT pg_is_in_recovery()")?[0].decode(Bool.self) == true {
                throw NotReady(reason: "the database is a read-only standby")
            }
        }
    }

    struct NotReady: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }
}

extension PostgresMigrations {
    /// The statements of `sql`, split at the semicolons that end a line outside a `$$` body
    /// (the extended query protocol runs one statement at a time).
    static func statements(of sql: String) -> [String] {
        var statements: [String] = []
        var current = ""
        var inBody = false
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingPrefix(while: \.isWhitespace).hasPrefix("--") { continue }
            current += line + "\n"
            if line.components(separatedBy: "$$").count % 2 == 0 { inBody.toggle() }
            if !inBody, line.hasSuffix(";") {
                statements.append(String(current.dropLast(2)))
                current = ""
            }
        }
        if !current.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { statements.append(current) }
        return statements
    }
}
