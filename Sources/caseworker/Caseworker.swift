import ArgumentParser
import CaseworkerServer

@main
struct Caseworker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "caseworker",
        abstract: "Caseworker: a self-hosted, webhook-driven case-processing daemon.",
        discussion: """
            Every command selects its instance the same way: --config PATH (default \
            /etc/caseworker/caseworker.yaml) or --dev (data in ./caseworker-data).
            """,
        version: CaseworkerVersion.current,
        subcommands: [Serve.self, Migrate.self, CheckConfig.self, Keys.self, Backup.self, Purge.self, Deliveries.self, Import.self, Version.self])
}
