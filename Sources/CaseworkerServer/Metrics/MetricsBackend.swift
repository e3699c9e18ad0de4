import CaseworkerAPI
import CoreMetrics
import Prometheus

/// The daemon's metrics backend: a Prometheus registry, the swift-metrics factory that records
/// into it, and the `/metrics` text rendered from it.
///
/// The library modules record through swift-metrics only and take the factory they record
/// into as a parameter; this is the one place that knows Prometheus. `serve` uses
/// `processWide`, which also becomes the process's `MetricsSystem` factory; a test builds its own
/// `MetricsBackend(registry:)` and reads that registry, so tests never touch the global
/// bootstrap (which may happen only once per process).
public struct MetricsBackend: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let factory: PrometheusMetricsFactory

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = Self.buckets
        self.factory = factory
    }

    /// The `/metrics` page: the registry in the Prometheus text format, rendered per scrape.
    public var exposition: MetricsExposition {
        let registry = self.registry
        return MetricsExposition { registry.emitToString() }
    }

    /// The backend of the running daemon, bootstrapped as the process-wide `MetricsSystem`
    /// factory on first use. A `static let` is initialised exactly once, so the bootstrap (which
    /// crashes when repeated) cannot run twice however often this is read.
    public static let processWide: MetricsBackend = {
        let backend = MetricsBackend()
        MetricsSystem.bootstrap(backend.factory)
        return backend
    }()

    /// Histogram buckets per series, in seconds, fitted to what each measures; a series not
    /// listed gets swift-prometheus's default (5 ms to 10 s).
    static let buckets: [String: [Duration]] = [
        // Requests: sub-millisecond reads up to 60 s long polls.
        "caseworker_http_request_duration_seconds": [
            .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
            .seconds(5), .seconds(10), .seconds(30), .seconds(60),
        ],
        // Steps: in-process actions take microseconds, http.request steps up to their timeout.
        "caseworker_step_duration_seconds": [
            .microseconds(100), .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30),
            .seconds(60), .seconds(300),
        ],
        // Commits: a fraction of a millisecond with a fast fsync; slow disks and lock waits show above.
        "caseworker_db_commit_duration_seconds": [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
        ],
    ]
}
