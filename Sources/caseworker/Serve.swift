import ArgumentParser
import CaseworkerServer
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the daemon: migrate the database, then serve the API until SIGTERM or SIGINT.")

    @OptionGroup var instance: InstanceOptions

    @Option(name: .long, help: "Listen on HOST:PORT instead of server.listen (also in dev mode).")
    var listen: String?

    func run() async throws {
        let config = try await instance.loadConfig(overrides: .init(listen: listen))
        let level = config.log.level
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardOutput(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "caseworker")
        do {
            try await Daemon.run(config: config, selection: instance.selection, logger: logger)
        } catch {
            logger.critical("caseworker stopped on an error", metadata: ["error": "\(error)"])
            throw ExitCode.failure
        }
    }
}
