import CaseworkerPostgres
import CaseworkerServer
import Foundation
import Testing

/// `database.url`, `database.passwordFile` and `database.maxConnections`: which database an
/// instance uses, and that no problem or summary ever shows the password.
@Suite struct DatabaseConfigTests {
    func file(_ text: String, named name: String = "caseworker.yaml") throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("caseworker-\(UUID().uuidString)-\(name)")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// Every problem, as `key: message`.
    func problems(_ path: String, environment: [String: String] = [:]) async -> [String] {
        do {
            _ = try await ConfigLoader.load(.file(path: path), environment: environment)
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test func withoutAURLTheInstanceUsesTheSQLiteFile() async throws {
        let config = try await ConfigLoader.load(.file(path: try file("database:\n  path: /tmp/x.sqlite\n")), environment: [:])
        #expect(config.database.url == nil)
        #expect(config.database.maxConnections == 16)
        #expect(config.database.summary == "SQLite file /tmp/x.sqlite")
    }

    @Test func readsAPostgreSQLURLWithItsPoolSize() async throws {
        let path = try file(
            """
            database:
              url: "postgres://cw:s3cret%40x@db.internal:6432/caseworker?sslmode=verify-full"
              maxConnections: 4
            """)
        let config = try await ConfigLoader.load(.file(path: path), environment: [:])
        let url = try #require(config.database.url)
        #expect(url.host == "db.internal" && url.port == 6432 && url.username == "cw" && url.database == "caseworker")
        #expect(url.password == "s3cret@x")
        #expect(url.tls == .verifyFull)
        #expect(url.maximumConnections == 4)
        #expect(config.database.summary == "PostgreSQL postgres://cw:***@db.internal:6432/caseworker?sslmode=verify-full, up to 4 connections and 1 listening")
        #expect(!config.database.summary.contains("s3cret"))

        let defaults = try await ConfigLoader.load(.file(path: try file("database:\n  url: postgresql://cw@localhost/cw\n")), environment: [:])
        #expect(defaults.database.url == PostgresOptions(host: "localhost", username: "cw", database: "cw", tls: .prefer, maximumConnections: 16))
    }

    @Test func theEnvironmentSetsTheURL() async throws {
        let path = try file("database:\n  url: postgres://file@h/db\n")
        let config = try await ConfigLoader.load(
            .file(path: path),
            environment: ["CASEWORKER_DATABASE_URL": "postgres://env:pw@127.0.0.1:5433/other?sslmode=disable", "CASEWORKER_DATABASE_MAX_CONNECTIONS": "8"])
        #expect(config.database.url == PostgresOptions(host: "127.0.0.1", port: 5433, username: "env", password: "pw", database: "other", tls: .disable, maximumConnections: 8))
        // Dev mode too: the variable puts a dev instance on PostgreSQL.
        let dev = try await ConfigLoader.load(.dev(directory: "caseworker-data"), environment: ["CASEWORKER_DATABASE_URL": "postgres://u@h/d"])
        #expect(dev.database.url?.database == "d")
    }

    @Test func thePasswordFileOverridesThePasswordInTheURL() async throws {
        let secret = try file("from-the-file\n", named: "password")
        let path = try file("database:\n  url: postgres://cw:in-the-url@h/db\n  passwordFile: \(secret)\n")
        let config = try await ConfigLoader.load(.file(path: path), environment: [:])
        #expect(config.database.url?.password == "from-the-file")
        #expect(config.database.passwordFile == secret)
        let crlf = try file("pw\r\n", named: "password")
        let fromEnvironment = try await ConfigLoader.load(
            .file(path: try file("database:\n  url: postgres://cw@h/db\n")), environment: ["CASEWORKER_DATABASE_PASSWORD_FILE": crlf])
        #expect(fromEnvironment.database.url?.password == "pw")
    }

    @Test func aPasswordFileThatCannotBeUsedIsAProblem() async throws {
        let missing = "/nonexistent/caseworker-password"
        let empty = try file("\n", named: "password")
        let secret = try file("pw\n", named: "password")
        #expect(
            await problems(try file("database:\n  url: postgres://cw@h/db\n  passwordFile: \(missing)\n"))
                == ["database.passwordFile: no such file: \(missing)"])
        #expect(
            await problems(try file("database:\n  url: postgres://cw@h/db\n  passwordFile: \(empty)\n"))
                == ["database.passwordFile: \(empty) is empty"])
        #expect(
            await problems(try file("database:\n  passwordFile: \(secret)\n"))
                == ["database.passwordFile: is set but database.url is not: it holds the PostgreSQL password"])
        #expect(await problems(try file("database:\n  maxConnections: 0\n")) == ["database.maxConnections: must be an integer from 1 to 1000, got 0"])
    }

    @Test(arguments: [
        ("mysql://cw:hunter2@h/db", "must be a URL postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=MODE] (special characters percent-encoded)"),
        ("cw:hunter2@h/db", "must be a URL postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=MODE] (special characters percent-encoded)"),
        ("postgres://cw:hunter2@/db", "must name a host (postgres://USER@HOST/DB)"),
        ("postgres://h/db", "must name a user (postgres://USER@HOST/DB)"),
        ("postgres://cw:hunter2@h", "must name one database after the host (postgres://USER@HOST/DB)"),
        ("postgres://cw:hunter2@h/a/b", "must name one database after the host (postgres://USER@HOST/DB)"),
        ("postgres://cw:hunter2@h:0/db", "must have a port from 1 to 65535"),
        ("postgres://cw:hunter2@h/db?sslmode=allow", "must have an sslmode of disable, prefer, require, verify-full"),
        ("postgres://cw:hunter2@h/db?connect_timeout=5", "must have no parameter but sslmode (it has connect_timeout)"),
    ])
    func aURLThatCannotBeParsedIsAProblemThatDoesNotRepeatIt(url: String, message: String) async throws {
        let fromFile = await problems(try file("database:\n  url: \"\(url)\"\n"))
        #expect(fromFile == ["database.url: \(message)"])
        #expect(!fromFile.description.contains("hunter2"))
        let fromEnvironment = await problems(try file("{}\n"), environment: ["CASEWORKER_DATABASE_URL": url])
        #expect(fromEnvironment == ["database.url: \(message)"])
    }
}
