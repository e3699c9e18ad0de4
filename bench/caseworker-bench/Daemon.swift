import Foundation

/// A real `caseworker serve` started for a benchmark: its own configuration file in a temporary
/// directory, an admin key made with `caseworker keys create` (or the key of the database it
/// shares with other daemons), logs to a file.
final class Daemon {
    /// What the daemon keeps its data in: its config's `database:` section.
    enum Storage {
        /// A SQLite file: `path` (an existing database, e.g. one `fill` wrote), else a new one in
        /// the daemon's directory; `synchronous` is its `PRAGMA synchronous` (`full` or `normal`).
        case sqlite(path: String?, synchronous: String)
        /// A PostgreSQL database (`database.url`), which several daemons may serve at once.
        case postgres(url: String)
    }

    private(set) var process = Process()
    private(set) var port = 0
    let key: String
    let directory: URL
    let logFile: URL
    private let binary: String
    private let configPath: URL

    /// Where `bench/*.sh` builds it: `.build/release/caseworker`.
    static func defaultBinary() -> String {
        let own = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return own.deletingLastPathComponent().appendingPathComponent("caseworker").path
    }

    /// - Parameters:
    ///   - logLevel: `notice` or finer: the daemon's port is read from its "listening on" notice.
    ///   - settings: extra `section.key: value` lines, e.g. `["engine": ["maxConcurrentRuns: 256"]]`.
    ///   - key: the admin key of a database another daemon serves already (its `keys create`
    ///     migrated it); without it, one is created with this daemon's configuration.
    /// Starts it and waits until it listens; on failure it leaves neither a process nor its directory.
    init(binary: String, storage: Storage, logLevel: String, settings: [String: [String]] = [:], key: String? = nil) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("caseworker-bench-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.directory = directory
        let database: [String] =
            switch storage {
            case .sqlite(let path, let synchronous):
                ["path: \"\(path ?? directory.appendingPathComponent("caseworker.sqlite").path)\"", "synchronous: \(synchronous)"]
            case .postgres(let url): ["url: \"\(url)\""]
            }
        var sections: [String: [String]] = [
            "server": ["listen: \"127.0.0.1:0\"", "maxBodyBytes: 1048576"],
            "database": database,
            "engine": ["httpAllowedNetworks: [127.0.0.0/8]"],
            "webhooks": ["allowedNetworks: [127.0.0.0/8]"],
            "log": ["level: \(logLevel)", "format: json"],
        ]
        for (section, lines) in settings { sections[section, default: []] += lines }
        let config = sections.sorted { $0.key < $1.key }.map { section, lines in
            "\(section):\n" + lines.map { "  \($0)\n" }.joined()
        }.joined()
        configPath = directory.appendingPathComponent("caseworker.yaml")
        self.binary = binary
        logFile = directory.appendingPathComponent("caseworker.log")
        do {
            try config.write(to: configPath, atomically: true, encoding: .utf8)
            self.key = try key ?? Self.createKey(binary: binary, config: configPath.path, errors: directory.appendingPathComponent("keys-create.log"))
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
        do {
            try Data().write(to: logFile)
            try await start()
        } catch {
            stop()
            removeFiles()
            throw error
        }
    }

    /// Starts `caseworker serve` (again, after `stop()`) and waits until it listens.
    func start() async throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--config", configPath.path]
        process.environment = Self.environment
        let log = try FileHandle(forWritingTo: logFile)
        log.seekToEndOfFile()
        let offset = log.offsetInFile
        process.standardOutput = log
        process.standardError = log
        try process.run()
        port = try await Self.waitForPort(logFile: logFile, after: offset, process: process)
    }

    var pid: Int32 { process.processIdentifier }
    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// SIGTERM, then waits for the exit (SIGKILL after 30 s).
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
    }

    /// This process's environment without the `CASEWORKER_*` variables: the configuration file
    /// alone sets the daemon up (it reads those variables as configuration, and refuses unknown
    /// ones such as the tests' `CASEWORKER_TEST_POSTGRES_URL`).
    private static var environment: [String: String] {
        ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CASEWORKER_") }
    }

    /// Removes the temporary directory (with the SQLite database, unless its path was given).
    func removeFiles() { try? FileManager.default.removeItem(at: directory) }

    /// `caseworker keys create` with `config`; its standard error goes to `errors`.
    private static func createKey(binary: String, config: String, errors: URL) throws -> String {
        let keys = Process()
        keys.executableURL = URL(fileURLWithPath: binary)
        keys.arguments = ["keys", "create", "--config", config, "--tenant", "bench", "--name", "bench"]
        keys.environment = environment
        let output = Pipe()
        try Data().write(to: errors)
        keys.standardOutput = output
        keys.standardError = try FileHandle(forWritingTo: errors)
        try keys.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        keys.waitUntilExit()
        let key = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard keys.terminationStatus == 0, key.hasPrefix("cwk_") else {
            let said = String(decoding: (try? Data(contentsOf: errors)) ?? Data(), as: UTF8.self)
            throw BenchError("caseworker keys create failed (\(keys.terminationStatus)): \(said.suffix(2000))")
        }
        return key
    }

    private static func waitForPort(logFile: URL, after offset: UInt64, process: Process) async throws -> Int {
        let pattern = try NSRegularExpression(pattern: #"listening on http://127\.0\.0\.1:(\d+)"#)
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let data = (try? Data(contentsOf: logFile)) ?? Data()
            let text = String(decoding: data.dropFirst(Int(offset)), as: UTF8.self)
            if let match = pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
                let range = Range(match.range(at: 1), in: text), let port = Int(text[range])
            {
                return port
            }
            guard process.isRunning else { throw BenchError("caseworker serve exited: \(text.suffix(2000))") }
            try await Task.sleep(for: .milliseconds(20))
        }
        let text = String(decoding: (try? Data(contentsOf: logFile)) ?? Data(), as: UTF8.self)
        throw BenchError("caseworker serve did not start listening within 60 s; its log ends:\n\(text.suffix(3000))")
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
