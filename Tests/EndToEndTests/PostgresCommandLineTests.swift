import CaseworkerTestSupport
import Foundation
import Testing

/// The command line on a PostgreSQL instance (`database.url`): check-config, migrate, backup,
/// purge, keys; the password never in their output.
@Suite(.enabled(if: PostgresTestDatabase.serverURL != nil, "\(PostgresTestDatabase.skipMessage)"))
struct PostgresCommandLineTests {
    /// A fresh database and a directory whose config names it, its password (if any) in a
    /// password file and a dummy one in the URL, which the file overrides.
    static func withInstance(_ body: (_ directory: URL, _ config: String, _ database: PostgresTestDatabase) async throws -> Void) async throws {
        let database = try await PostgresTestDatabase.create()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("caseworker-pg-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let options = database.options
        let passwordFile = directory.appendingPathComponent("password")
        try ((options.password ?? "unused") + "\n").write(to: passwordFile, atomically: true, encoding: .utf8)
        let config = directory.appendingPathComponent("caseworker.yaml")
        try """
        database:
          url: "postgres://\(options.username):not-the-password@\(options.host):\(options.port)/\(database.name)?sslmode=disable"
          passwordFile: \(options.password == nil ? "\"\"" : passwordFile.path)
          maxConnections: 3
        """.write(to: config, atomically: true, encoding: .utf8)
        do {
            try await body(directory, config.path, database)
        } catch {
            try? await database.drop()
            throw error
        }
        try await database.drop()
    }

    @Test func checkConfigSaysWhichDatabaseWithoutThePassword() async throws {
        try await Self.withInstance { directory, config, database in
            let (status, output) = try await runCaseworker(["check-config", "--config", config], in: directory)
            #expect(status == 0, "\(output)")
            let options = database.options
            #expect(
                output.contains(
                    "database: PostgreSQL postgres://\(options.username):***@\(options.host):\(options.port)/\(database.name)?sslmode=disable, up to 3 connections and 1 listening"),
                "\(output)")
            #expect(output.contains("database.maxConnections: 3"))
            #expect(!output.contains("not-the-password"))
            if let password = options.password { #expect(!output.contains(password)) }
        }
    }

    @Test func checkConfigRefusesAURLItCannotParseWithTheReason() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("caseworker-pg-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("caseworker.yaml")
        try "database:\n  path: \(directory.path)/db.sqlite\n".write(to: config, atomically: true, encoding: .utf8)
        let (status, output) = try await runCaseworker(
            ["check-config", "--config", config.path], in: directory,
            environment: ["CASEWORKER_DATABASE_URL": "postgres://cw:hunter2@db.internal/caseworker?sslmode=maybe"])
        #expect(status == 78, "\(output)")
        #expect(output.contains("database.url: must have an sslmode of disable, prefer, require, verify-full"), "\(output)")
        #expect(!output.contains("hunter2"))
        // Without the variable the same file is a SQLite instance.
        let (sqlite, sqliteOutput) = try await runCaseworker(["check-config", "--config", config.path], in: directory)
        #expect(sqlite == 0)
        #expect(sqliteOutput.contains("database: SQLite file \(directory.path)/db.sqlite"), "\(sqliteOutput)")
    }

    @Test func migrateAppliesTheSchemaOnceThenReportsUpToDate() async throws {
        try await Self.withInstance { directory, config, database in
            let (first, firstOutput) = try await runCaseworker(["migrate", "--config", config], in: directory)
            #expect(first == 0, "\(firstOutput)")
            #expect(firstOutput.contains("applied: pg1-schema"), "\(firstOutput)")
            let (second, secondOutput) = try await runCaseworker(["migrate", "--config", config], in: directory)
            #expect(second == 0, "\(secondOutput)")
            #expect(secondOutput.contains("database is up to date"), "\(secondOutput)")
            let recorded = try await database.query("SELECT count(*) FROM caseworker_migrations")
            #expect(try recorded.first?.decode(Int.self) == 1)
            #expect(!firstOutput.contains("not-the-password") && !secondOutput.contains("not-the-password"))
        }
    }

    @Test func backupRefusesAndNamesPostgreSQLsTools() async throws {
        try await Self.withInstance { directory, config, _ in
            let destination = directory.appendingPathComponent("copy.sqlite").path
            let (status, output) = try await runCaseworker(["backup", "--config", config, destination], in: directory)
            #expect(status == 1, "\(output)")
            #expect(output.contains("backup refused"), "\(output)")
            #expect(output.contains("pg_dump") && output.contains("pg_basebackup"), "\(output)")
            #expect(!FileManager.default.fileExists(atPath: destination))
        }
    }

    @Test func purgeAndKeysWorkOnPostgreSQL() async throws {
        try await Self.withInstance { directory, config, _ in
            let (purged, purgeOutput) = try await runCaseworker(["purge", "--config", config, "--finished-before", "1d"], in: directory)
            #expect(purged == 0, "\(purgeOutput)")
            #expect(purgeOutput.contains("purged 0 finished runs, 0 delivered webhook events"), "\(purgeOutput)")
            let (created, createOutput) = try await runCaseworker(
                ["keys", "create", "--config", config, "--tenant", "acme", "--name", "ops"], in: directory)
            #expect(created == 0, "\(createOutput)")
            let (listed, listOutput) = try await runCaseworker(["keys", "list", "--config", config], in: directory)
            #expect(listed == 0, "\(listOutput)")
            #expect(listOutput.contains("acme") && listOutput.contains("ops"), "\(listOutput)")
        }
    }

    @Test func aDatabaseThatDoesNotAnswerFailsTheCommandInsteadOfHanging() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("caseworker-pg-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let refusing = RefusingPort()
        let migrate = try await DaemonProcess(
            ["migrate", "--dev"], in: directory,
            environment: ["CASEWORKER_DATABASE_URL": "postgres://cw:hunter2@127.0.0.1:\(refusing.port)/cw?sslmode=disable"])
        let status = try await migrate.waitForExit(timeout: .seconds(60))
        try await migrate.waitForEndOfOutput()
        let output = migrate.text
        #expect(status != 0)
        #expect(output.contains("did not accept a connection within 30 s"), "\(output)")
        #expect(!output.contains("hunter2"), "\(output)")
    }
}
