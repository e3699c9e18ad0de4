import CaseworkerPostgres
import Foundation
import Logging
import PostgresNIO

/// A new, empty database on the test run's PostgreSQL server, for one test (or one daemon group).
///
/// The server is the one `CASEWORKER_TEST_POSTGRES_URL` names (`scripts/test.sh` starts a
/// throwaway cluster and sets it); its user must be allowed to create databases. `create()` makes
/// a database with a fresh name, `drop()` removes it (forcing out what is still connected).
public struct PostgresTestDatabase: Sendable {
    /// The server's URL, or `nil` when the run has no PostgreSQL (tests that need one then skip).
    public static var serverURL: String? {
        ProcessInfo.processInfo.environment["CASEWORKER_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The message a test that needs PostgreSQL skips with.
    public static let skipMessage = "no PostgreSQL for the tests: set CASEWORKER_TEST_POSTGRES_URL (scripts/test.sh starts one)"

    public let name: String
    /// The database's options, with `sslmode=disable` (loopback).
    public let options: PostgresOptions
    /// `database.url` of the database.
    public var url: String {
        "postgres://\(options.username)\(options.password.map { ":" + $0 } ?? "")@\(options.host):\(options.port)/\(name)?sslmode=disable"
    }

    private let server: PostgresOptions

    /// Creates a database named `cw_test_<random>` on the server.
    public static func create() async throws -> PostgresTestDatabase {
        guard let serverURL else { throw MissingServer() }
        var server = try PostgresOptions(url: serverURL)
        server.tls = .disable
        let name = "cw_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await Self.administer(server) { try await $0.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)")) }
        var options = server
        options.database = name
        return PostgresTestDatabase(name: name, options: options, server: server)
    }

    /// Drops the database, disconnecting whatever still uses it.
    public func drop() async throws {
        try await Self.administer(server) { try await $0.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")) }
    }

    /// Runs one administrative statement against `database` on the server (e.g. to inspect a test's
    /// database without a store).
    public func query(_ sql: String) async throws -> [PostgresRow] {
        try await Self.administer(options) { try await $0.query(PostgresQuery(unsafeSQL: sql)).collect() }
    }

    private static func administer<T: Sendable>(_ options: PostgresOptions, _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let client = PostgresClient(
            configuration: PostgresStore.clientConfiguration(options), backgroundLogger: Logger(label: "caseworker.test.postgres"))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    struct MissingServer: Error, CustomStringConvertible {
        var description: String { PostgresTestDatabase.skipMessage }
    }
}
