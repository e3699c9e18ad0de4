import ArgumentParser
import CaseworkerServer

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending database migrations (serve does this on start too).")

    @OptionGroup var instance: InstanceOptions

    func run() async throws {
        let config = try await instance.loadConfig()
        let opened = try Instance.openStore(config: config, selection: instance.selection)
        try await opened.withRunning {
            let pending = try await opened.pendingMigrations()
            try await opened.migrate()
            print(pending.isEmpty ? "database is up to date" : "applied: \(pending.joined(separator: ", "))")
        }
    }
}
