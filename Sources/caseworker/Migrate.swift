import ArgumentParser
import CaseworkerServer

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending database migrations (serve does this on start too).")

    @OptionGroup var instance: InstanceOptions

    func run() async throws {
        let config = try await instance.loadConfig()
        let store = try Instance.openStore(config: config, selection: instance.selection)
        let pending = try store.pendingMigrations()
        try store.migrate()
        print(pending.isEmpty ? "database is up to date" : "applied: \(pending.joined(separator: ", "))")
    }
}
