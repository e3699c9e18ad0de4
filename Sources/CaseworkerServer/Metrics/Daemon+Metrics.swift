import CaseworkerAPI
import CaseworkerEngine
import CaseworkerStore
import CaseworkerWebhooks
import Hummingbird
import Logging
import ServiceLifecycle

extension Daemon {
    /// The services that only serve metrics, placed first in the daemon's group so that they stop
    /// last (a scrape during the drain still answers):
    ///
    /// - the outbox backlog sampler and the worker task backlog sampler (every 5 s);
    /// - with `metrics.listen` set, a second HTTP listener there serving `GET /metrics` only (the
    ///   main listener then does not serve it). It logs `serving /metrics on http://HOST:PORT`.
    static func metricsServices(
        store: any DeliveryBacklogStore & WorkerTaskStore, config: CaseworkerConfig, metrics: MetricsBackend, deliveryMetrics: DeliveryMetrics, logger: Logger
    ) -> [any Service] {
        var services: [any Service] = [
            DeliveryBacklogSampler(store: store, metrics: deliveryMetrics, logger: logger),
            TaskBacklogSampler(store: store, factory: metrics.factory, logger: logger),
        ]
        if let listen = config.metrics.listen {
            services.append(
                Application(
                    router: makeMetricsRouter(exposition: metrics.exposition),
                    server: makeHTTPServer(configuration: config.server.apiConfiguration),
                    configuration: ApplicationConfiguration(
                        address: .hostname(listen.host, port: listen.port), serverName: "caseworker"),
                    onServerRunning: { channel in
                        let address = ListenAddress(host: listen.host, port: channel.localAddress?.port ?? listen.port)
                        logger.notice("serving /metrics on http://\(address)")
                    },
                    logger: logger))
        }
        return services
    }

    /// What the API records and whether it serves `/metrics` itself (`metrics.listen` empty).
    static func apiMetrics(config: CaseworkerConfig, metrics: MetricsBackend) -> APIMetrics {
        APIMetrics(factory: metrics.factory, exposition: config.metrics.listen == nil ? metrics.exposition : nil)
    }
}
