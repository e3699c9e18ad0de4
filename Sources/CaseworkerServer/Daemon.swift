import CaseworkerAPI
import CaseworkerCore
import CaseworkerDashboard
import CaseworkerEngine
import CaseworkerOutbound
import CaseworkerStore
import CaseworkerWebhooks
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// `caseworker serve`: opens and migrates the database (SQLite, or PostgreSQL with `database.url`),
/// then runs the run engine, the webhook dispatcher and the HTTP server in one ServiceGroup until
/// SIGTERM or SIGINT. On PostgreSQL the store's pool serves around the group (`OpenedStore.withRunning`):
/// it is up before the migration and stops after every service.
///
/// Under systemd (`Type=notify`) it sends `READY=1` once migrated and listening, `WATCHDOG=1` at
/// half of `WatchdogSec`, `RELOADING=1`/`READY=1` around a SIGHUP reload, and `STOPPING=1` when
/// it starts to shut down.
///
/// Shutdown is graceful, in reverse order of the services: `/readyz` turns 503 and long polls
/// are answered; the server stops accepting connections and lets in-flight requests finish; the
/// dispatcher stops claiming and lets attempts in flight finish (up to its grace); the engine
/// stops claiming and gives running steps `engine.shutdownGraceSeconds`; then the store stops,
/// `run` returns and the process exits 0.
///
/// Every component records its metrics into `metrics` (`serve`: `MetricsBackend.processWide`).
public enum Daemon {
    /// What `serve` was started with, so that a reload reads the same sources.
    public struct Launch: Sendable {
        public var selection: InstanceSelection
        public var overrides: ConfigLoader.Overrides
        /// The process's log level, shared by every logger (a reload changes it).
        public var logLevel: Reloadable<Logger.Level>

        public init(selection: InstanceSelection, overrides: ConfigLoader.Overrides, logLevel: Reloadable<Logger.Level>) {
            self.selection = selection
            self.overrides = overrides
            self.logLevel = logLevel
        }
    }

    public static func run(
        config: CaseworkerConfig, launch: Launch, metrics: MetricsBackend = .processWide, logger: Logger
    ) async throws {
        let opened = try Instance.openStore(config: config, selection: launch.selection, metricsFactory: metrics.factory)
        // The store serves for the whole run (PostgreSQL: its pool and listener), and stops last.
        try await opened.withRunning {
            try await serve(opened, config: config, launch: launch, metrics: metrics, logger: logger)
        }
        logger.info("stopped")
    }

    /// Migrates `opened`, then runs the services on it until graceful shutdown.
    private static func serve(
        _ opened: OpenedStore, config: CaseworkerConfig, launch: Launch, metrics: MetricsBackend, logger: Logger
    ) async throws {
        let notifier = SystemdNotifier()
        let store = opened.store
        try await opened.migrate()
        switch opened {
        case .sqlite:
            logger.info(
                "database ready",
                metadata: ["path": .string(config.database.path), "synchronous": .string(config.database.synchronous.rawValue)])
        case .postgres(let postgres):
            logger.info(
                "database ready",
                metadata: [
                    "url": .string(postgres.options.description), "maxConnections": .stringConvertible(postgres.options.maximumConnections),
                ])
        }
        if launch.selection.isDev {
            try await DevBootstrap.ensureAdminKey(store: store, listen: config.server.listen)
        }

        // http.request steps connect through their own SSRF guard, with `engine.httpAllowedNetworks`.
        let stepPolicy = Reloadable(AddressPolicy(allowedNetworks: config.engineHTTPAllowedNetworks))
        let stepGuard = try await SSRFGuardProxy.start(policy: stepPolicy, connectTimeout: .seconds(10), logger: logger)
        let httpClient = HTTPRequestAction.makeClient(socksProxyPort: stepGuard.port)
        let engine = RunEngine(
            store: store, actions: .standard(http: HTTPRequestAction(client: httpClient, addressPolicy: stepPolicy), exec: ExecAction(configuration: config.engineExec)),
            configuration: config.engine,
            metrics: EngineMetrics(factory: metrics.factory), logger: logger)
        let deliveryMetrics = DeliveryMetrics(factory: metrics.factory)
        let dispatcher = DeliveryDispatcher(
            store: store, signal: opened.outboxSignal, configuration: config.webhooks.dispatcherConfiguration,
            metrics: deliveryMetrics, logger: logger)
        let readiness = Readiness()
        let app = makeApplication(store: store, config: config, metrics: metrics, readiness: readiness, logger: logger) { address in
            notifier.notify("READY=1\nSTATUS=listening on http://\(address)")
        }
        let reloader = ConfigReloader(
            selection: launch.selection, overrides: launch.overrides, running: Reloadable(config), notifier: notifier, logger: logger
        ) { reloaded in
            launch.logLevel.replace(with: reloaded.log.level)
            dispatcher.reload(reloaded.webhooks.dispatcherConfiguration)
            stepPolicy.replace(with: AddressPolicy(allowedNetworks: reloaded.engineHTTPAllowedNetworks))
        }
        let beginDrain = ShutdownHook {
            notifier.notify("STOPPING=1")
            readiness.startDraining()
            store.signals.runChanges.close()
            logger.notice("draining: no new connections; finishing requests, deliveries and steps")
        }
        let retention = RetentionService(
            store: store, retention: config.retention, clock: SystemClock(), logger: logger,
            owner: "caseworker-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
        var services: [any Service] =
            metricsServices(store: store, config: config, metrics: metrics, deliveryMetrics: deliveryMetrics, logger: logger)
            + [engine, dispatcher, retention, app, reloader, beginDrain]
        if let interval = SystemdNotifier.watchdogInterval(), notifier.isEnabled {
            services.append(WatchdogService(notifier: notifier, interval: interval))
        }
        let group = ServiceGroup(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
        do {
            try await group.run()
        } catch {
            try? await httpClient.shutdown()
            try? await stepGuard.close()
            throw error
        }
        try await httpClient.shutdown()
        try await stepGuard.close()
    }

    /// The HTTP application over `store`, configured from `config`, recording into `metrics` (and
    /// serving its `/metrics` unless `metrics.listen` is set), running `services` beside the
    /// server. Used by `run` and by tests. `onListening` is called with the bound address once the
    /// server accepts connections.
    public static func makeApplication(
        store: any Store, config: CaseworkerConfig, metrics: MetricsBackend, services: [any Service] = [],
        readiness: Readiness = Readiness(), logger: Logger, onListening: @escaping @Sendable (ListenAddress) -> Void = { _ in }
    ) -> some ApplicationProtocol {
        var api = config.server.apiConfiguration
        api.valueLimits = config.limits
        api.definitionRules = DefinitionRules(execPrograms: Set(config.engineExec.programs.keys), maxBranches: config.engine.maxBranches)
        let router = makeRouter(store: store, configuration: api, metrics: apiMetrics(config: config, metrics: metrics), readiness: readiness)
        if config.ui.enabled { Dashboard(store: store, configuration: config.ui).register(on: router) }
        return Application(
            router: router,
            server: makeHTTPServer(configuration: api),
            configuration: ApplicationConfiguration(
                address: .hostname(config.server.listen.host, port: config.server.listen.port), serverName: "caseworker"),
            services: services,
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? config.server.listen.port
                let address = ListenAddress(host: config.server.listen.host, port: port)
                logger.notice("listening on http://\(address)")
                onListening(address)
            },
            logger: logger)
    }
}
