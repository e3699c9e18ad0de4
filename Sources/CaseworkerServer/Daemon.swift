import CaseworkerAPI
import CaseworkerCore
import CaseworkerEngine
import CaseworkerSQLite
import CaseworkerWebhooks
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// `caseworker serve`: opens and migrates the database, then runs the run engine, the webhook
/// dispatcher and the HTTP server in one ServiceGroup until SIGTERM or SIGINT.
///
/// Shutdown is graceful, in reverse order of the services: long polls are released, the server
/// stops accepting connections and lets in-flight requests finish, the dispatcher stops claiming
/// and lets attempts in flight finish (up to its grace), the engine stops claiming and gives
/// running steps `engine.shutdownGraceSeconds`; then `run` returns and the process exits 0.
///
/// Every component records its metrics into `metrics` (`serve`: `MetricsBackend.processWide`).
public enum Daemon {
    public static func run(
        config: CaseworkerConfig, selection: InstanceSelection, metrics: MetricsBackend = .processWide, logger: Logger
    ) async throws {
        let store = try Instance.openStore(config: config, selection: selection, metricsFactory: metrics.factory)
        try store.migrate()
        logger.info(
            "database ready",
            metadata: ["path": .string(config.database.path), "synchronous": .string(config.database.synchronous.rawValue)])
        if selection.isDev {
            try await DevBootstrap.ensureAdminKey(store: store, listen: config.server.listen)
        }
        // http.request steps connect through their own SSRF guard, with `engine.httpAllowedNetworks`.
        let stepGuard = try await SSRFGuardProxy.start(
            policy: AddressPolicy(allowedNetworks: config.engineHTTPAllowedNetworks), connectTimeout: .seconds(10), logger: logger)
        let httpClient = HTTPRequestAction.makeClient(socksProxyPort: stepGuard.port)
        let http = HTTPRequestAction(client: httpClient)
        let engine = RunEngine(
            store: store, actions: .standard(http: http), configuration: config.engine,
            metrics: EngineMetrics(factory: metrics.factory), logger: logger)
        let app = makeApplication(store: store, config: config, metrics: metrics, logger: logger)
        let deliveryMetrics = DeliveryMetrics(factory: metrics.factory)
        let dispatcher = DeliveryDispatcher(
            store: store, signal: store.outboxSignal, configuration: config.webhooks.dispatcherConfiguration,
            metrics: deliveryMetrics, logger: logger)
        let releaseLongPolls = ShutdownHook { store.signals.runChanges.close() }
        let group = ServiceGroup(
            services: metricsServices(store: store, config: config, metrics: metrics, deliveryMetrics: deliveryMetrics, logger: logger)
                + [engine, dispatcher, app, releaseLongPolls],
            gracefulShutdownSignals: [.sigterm, .sigint],
            cancellationSignals: [], logger: logger)
        do {
            try await group.run()
        } catch {
            try? await httpClient.shutdown()
            try? await stepGuard.close()
            throw error
        }
        try await httpClient.shutdown()
        try await stepGuard.close()
        logger.info("stopped")
    }

    /// The HTTP application over `store`, configured from `config`, recording into `metrics` (and
    /// serving its `/metrics` unless `metrics.listen` is set), running `services` beside the
    /// server. Used by `run` and by tests.
    public static func makeApplication(
        store: SQLiteStore, config: CaseworkerConfig, metrics: MetricsBackend, services: [any Service] = [], logger: Logger
    ) -> some ApplicationProtocol {
        let router = makeRouter(
            store: store, configuration: APIConfiguration(maxBodyBytes: config.server.maxBodyBytes),
            metrics: apiMetrics(config: config, metrics: metrics))
        return Application(
            router: router,
            configuration: ApplicationConfiguration(
                address: .hostname(config.server.listen.host, port: config.server.listen.port), serverName: "caseworker"),
            services: services,
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? config.server.listen.port
                let address = ListenAddress(host: config.server.listen.host, port: port)
                logger.notice("listening on http://\(address)")
            },
            logger: logger)
    }
}
