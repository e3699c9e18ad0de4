import Foundation

/// A PostgreSQL server of its own for one test that must stop and start it (the shared server of
/// the test run, `PostgresTestDatabase`, serves other tests at the same time): `initdb` in a new
/// temporary directory, `pg_ctl` on 127.0.0.1 on a free port, Debian's server binaries
/// (`/usr/lib/postgresql/*/bin`). As root the cluster belongs to the `postgres` user (initdb
/// refuses root) and the commands run through `runuser`.
public final class ThrowawayPostgresServer: Sendable {
    public let port: Int
    public let directory: URL
    private let binaries: String

    /// The server binaries' directory, or `nil` when PostgreSQL's server is not installed.
    public static var binaries: String? {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return versions.sorted().reversed().map { "\(root)/\($0)/bin" }
            .first { FileManager.default.isExecutableFile(atPath: "\($0)/initdb") }
    }

    /// `database.url` of the server's `postgres` database.
    public var url: String { "postgres://caseworker@127.0.0.1:\(port)/postgres?sslmode=disable" }

    /// Creates and starts the cluster.
    public init() async throws {
        guard let binaries = Self.binaries else { throw Failure("no PostgreSQL server binaries under /usr/lib/postgresql") }
        self.binaries = binaries
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("caseworker-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = RefusingPort().port
        if getuid() == 0 {
            _ = try await Self.run("/usr/bin/chown", ["postgres:", directory.path])
        }
        try await asOwner("initdb", ["-D", directory.appendingPathComponent("data").path, "-U", "caseworker", "--auth=trust", "-E", "UTF8"])
        let settings = """
            listen_addresses = '127.0.0.1'
            port = \(port)
            unix_socket_directories = '\(directory.path)'
            max_connections = 100

            """
        let configuration = directory.appendingPathComponent("data/postgresql.conf")
        let handle = try FileHandle(forWritingTo: configuration)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(settings.utf8))
        try handle.close()
        try await start()
    }

    public func start() async throws {
        try await pgCtl(["start", "-w", "-t", "60", "-l", directory.appendingPathComponent("server.log").path])
    }

    /// Stops the server at once (`-m immediate`: like a crash; connections are cut).
    public func stop() async throws {
        try await pgCtl(["stop", "-m", "immediate", "-w", "-t", "60"])
    }

    /// Stops the server and removes its directory.
    public func discard() async {
        try? await stop()
        try? FileManager.default.removeItem(at: directory)
    }

    private func pgCtl(_ arguments: [String]) async throws {
        try await asOwner("pg_ctl", ["-D", directory.appendingPathComponent("data").path] + arguments)
    }

    private func asOwner(_ program: String, _ arguments: [String]) async throws {
        let path = "\(binaries)/\(program)"
        if getuid() == 0 {
            try await Self.run("/usr/sbin/runuser", ["-u", "postgres", "--", path] + arguments)
        } else {
            try await Self.run(path, arguments)
        }
    }

    @discardableResult
    private static func run(_ executable: String, _ arguments: [String]) async throws -> String {
        let (termination, output, _) = try await ChildProcess.run(executable, arguments: arguments, timeout: .seconds(120))
        guard termination.status == 0 else { throw Failure("\(executable) \(arguments.joined(separator: " ")) failed (\(termination)): \(output)") }
        return output
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
