import ArgumentParser
import CaseworkerServer
import CaseworkerStore
import Foundation

/// `--config PATH` or `--dev`: how every command selects the instance it works on.
struct InstanceOptions: ParsableArguments {
    @Option(name: .long, help: "The configuration file. (default: /etc/caseworker/caseworker.yaml)")
    var config: String?

    @Flag(name: .long, help: "Dev mode: no configuration file, data in ./caseworker-data, 127.0.0.1:8080.")
    var dev = false

    func validate() throws {
        if dev && config != nil { throw ValidationError("--dev and --config exclude each other; choose one") }
    }

    var selection: InstanceSelection {
        dev ? .dev(directory: InstanceSelection.defaultDevDirectory) : .file(path: config ?? InstanceSelection.defaultConfigPath)
    }

    /// The configuration, or exit 78 (EX_CONFIG) after printing every problem to stderr.
    func loadConfig(overrides: ConfigLoader.Overrides = .init()) async throws -> CaseworkerConfig {
        do {
            return try await ConfigLoader.load(selection, overrides: overrides)
        } catch {
            Console.error("invalid configuration:\n" + error.problems.map { "  \($0)" }.joined(separator: "\n"))
            throw ExitCode(78)
        }
    }
}

extension InstanceOptions {
    /// Runs `body` on the instance's store (SQLite, or PostgreSQL with `database.url`), migrated
    /// first (so keys can be created before the first `serve`), while the store serves.
    func withMigratedStore<T: Sendable>(_ body: @Sendable (any InstanceStore) async throws -> T) async throws -> T {
        let opened = try Instance.openStore(config: try await loadConfig(), selection: selection)
        return try await opened.withRunning {
            try await opened.migrate()
            return try await body(opened.store)
        }
    }
}

enum Console {
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
