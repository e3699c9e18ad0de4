import CoreMetrics

/// Where the HTTP API records its metrics, and what `GET /metrics` answers.
///
/// The API records through swift-metrics only: it never knows the backend. The daemon passes
/// its Prometheus factory and an `exposition` that renders that backend's registry; tests pass
/// a registry of their own.
public struct APIMetrics: Sendable {
    /// Receives `caseworker_http_requests_total`, `caseworker_http_request_duration_seconds`
    /// and `caseworker_runs_started_total`. Default: the process-wide `MetricsSystem.factory`.
    public var factory: any MetricsFactory
    /// When set, the router serves `GET /metrics` (unauthenticated, like `/healthz`) with it.
    /// `nil` when the metrics are served elsewhere (`metrics.listen`) or not at all.
    public var exposition: MetricsExposition?

    public init(factory: any MetricsFactory = MetricsSystem.factory, exposition: MetricsExposition? = nil) {
        self.factory = factory
        self.exposition = exposition
    }
}

/// The text of the `/metrics` page: a content type and a renderer called on every scrape.
public struct MetricsExposition: Sendable {
    /// The Prometheus text format's content type.
    public static let prometheusContentType = "text/plain; version=0.0.4; charset=utf-8"

    public var contentType: String
    public var render: @Sendable () -> String

    public init(contentType: String = Self.prometheusContentType, render: @escaping @Sendable () -> String) {
        self.contentType = contentType
        self.render = render
    }
}
