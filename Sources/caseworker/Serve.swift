import ArgumentParser
import CaseworkerCore
import CaseworkerServer
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the daemon: migrate the database, then serve the API until SIGTERM or SIGINT.",
        discussion: "SIGHUP re-reads the configuration (log level, webhook settings, allowed networks).")

    @OptionGroup var instance: InstanceOptions

    @Option(name: .long, help: "Listen on HOST:PORT instead of server.listen (also in dev mode).")
    var listen: String?

    func run() async throws {
        let overrides = ConfigLoader.Overrides(listen: listen)
        let config = try await instance.loadConfig(overrides: overrides)
        let level = Reloadable(config.log.level)
        LogSetup.bootstrap(format: config.log.format, level: level)
        let logger = Logger(label: "caseworker")
        do {
            try await Daemon.run(
                config: config, launch: .init(selection: instance.selection, overrides: overrides, logLevel: level), logger: logger)
        } catch {
            logger.critical("caseworker stopped on an error", metadata: ["error": "\(error)"])
            throw ExitCode.failure
        }
    }
}
