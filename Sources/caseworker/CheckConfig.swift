import ArgumentParser
import CaseworkerCore
import CaseworkerServer

struct CheckConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the configuration (file, environment, flags) and print the effective settings.",
        discussion: """
            Exits 0 when valid, 78 after listing every problem with its key. The first line says which \
            database the instance uses (SQLite, or PostgreSQL with database.url; never the password). \
            It connects to nothing.
            """)

    @OptionGroup var instance: InstanceOptions

    @Option(name: .long, help: "Check as if serve were given --listen HOST:PORT.")
    var listen: String?

    func run() async throws {
        let config = try await instance.loadConfig(overrides: .init(listen: listen))
        print(
            """
            configuration is valid
              database: \(config.database.summary)
              server.listen: \(config.server.listen)
              server.maxBodyBytes: \(config.server.maxBodyBytes)
              server.idempotencyKeyHours: \(config.server.idempotencyKeyHours)
              database.path: \(config.database.path)
              database.synchronous: \(config.database.synchronous.rawValue)
              database.busyTimeoutMilliseconds: \(config.database.busyTimeoutMilliseconds)
              database.url: \(config.database.url.map(\.description) ?? "(empty: SQLite at database.path)")
              database.passwordFile: \(config.database.passwordFile ?? "(empty)")
              database.maxConnections: \(config.database.maxConnections)
              engine.maxConcurrentRuns: \(config.engine.maxConcurrentRuns)
              engine.maxStepsPerRun: \(config.engine.maxStepsPerRun)
              engine.shutdownGraceSeconds: \(config.engine.shutdownGrace.components.seconds)
              engine.maxExecutorFailures: \(config.engine.maxExecutorFailures)
              engine.maxBranches: \(config.engine.maxBranches)
              engine.leaseSeconds: \(config.engine.lease.components.seconds)
              engine.heartbeatSeconds: \(config.engine.heartbeat.components.seconds)
              engine.httpAllowedNetworks: [\(config.engineHTTPAllowedNetworks.map(\.description).joined(separator: ", "))]
              engine.exec.maxOutputBytes: \(config.engineExec.maxOutputBytes)
              engine.exec.programs: [\(config.engineExec.programs.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.path)" }.joined(separator: ", "))]
              log.level: \(config.log.level.rawValue)
              log.format: \(config.log.format.rawValue)
              retention.finishedRuns: \(DurationText.format(config.retention.finishedRuns))
              retention.deliveredEvents: \(DurationText.format(config.retention.deliveredEvents))
              webhooks.schedule: [\(config.webhooks.schedule.map(DurationText.format).joined(separator: ", "))]
              webhooks.jitter: \(config.webhooks.jitter)
              webhooks.attemptTimeoutSeconds: \(config.webhooks.attemptTimeoutSeconds)
              webhooks.maxInFlightPerEndpoint: \(config.webhooks.maxInFlightPerEndpoint)
              webhooks.maxInFlight: \(config.webhooks.maxInFlight)
              webhooks.disableAfterFailingHours: \(config.webhooks.disableAfterFailingHours)
              webhooks.allowedNetworks: [\(config.webhooks.allowedNetworks.map(\.description).joined(separator: ", "))]
              metrics.listen: \(config.metrics.listen.map(\.description) ?? "(empty: /metrics on server.listen)")
            """)
    }
}
