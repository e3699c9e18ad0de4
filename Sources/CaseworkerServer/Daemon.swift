import CaseworkerAPI
import CaseworkerCore
import CaseworkerSQLite
import CaseworkerWebhooks
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// `caseworker serve`: opens and migrates the database, then runs the HTTP server and the webhook
/// dispatcher (and, as it lands, the engine) in one ServiceGroup until SIGTERM or SIGINT.
///
/// Shutdown is graceful: the group stops accepting connections, lets in-flight requests finish,
/// the dispatcher stops claiming and lets attempts in flight finish (up to its grace), and `run`
/// returns normally, so the process exits 0.
public enum Daemon {
    public static func run(config: CaseworkerConfig, selection: InstanceSelection, logger: Logger) async throws {
        let store = try Instance.openStore(config: config, selection: selection)
        try store.migrate()
        logger.info(
            "database ready",
            metadata: ["path": .string(config.database.path), "synchronous": .string(config.database.synchronous.rawValue)])
        if selection.isDev {
            try await DevBootstrap.ensureAdminKey(store: store, listen: config.server.listen)
        }
        let app = makeApplication(store: store, config: config, logger: logger)
        let dispatcher = DeliveryDispatcher(
            store: store, signal: store.outboxSignal, configuration: config.webhooks.dispatcherConfiguration, logger: logger)
        let group = ServiceGroup(
            services: [app, dispatcher], gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
        try await group.run()
        logger.info("stopped")
    }

    /// The HTTP application over `store`, configured from `config`. Used by `run` and by tests.
    public static func makeApplication(
        store: SQLiteStore, config: CaseworkerConfig, logger: Logger
    ) -> some ApplicationProtocol {
        let router = makeRouter(store: store, configuration: APIConfiguration(maxBodyBytes: config.server.maxBodyBytes))
        return Application(
            router: router,
            configuration: ApplicationConfiguration(
                address: .hostname(config.server.listen.host, port: config.server.listen.port), serverName: "caseworker"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? config.server.listen.port
                let address = ListenAddress(host: config.server.listen.host, port: port)
                logger.notice("listening on http://\(address)")
            },
            logger: logger)
    }
}
