import CaseworkerStore
import CoreMetrics
import Foundation

/// What webhook delivery records for `/metrics` (through swift-metrics; the daemon picks the
/// backend):
///
/// - `caseworker_webhook_attempts_total{result}`: attempts sent, by `result`: `success` (2xx),
///   `http_error` (any other status) or `transport_error` (no response: refused by the SSRF
///   guard, connection failure, timeout). Attempts cancelled at shutdown are not counted;
/// - `caseworker_webhook_endpoints_disabled_total`: endpoints the dispatcher disabled (410 Gone,
///   or failing for `webhooks.disableAfterFailingHours`);
/// - `caseworker_webhook_deliveries_pending` and
///   `caseworker_webhook_oldest_pending_delivery_age_seconds`: the outbox backlog, sampled by
///   `DeliveryBacklogSampler`.
///
/// No label carries an endpoint, URL, tenant or event: the series are fixed.
public struct DeliveryMetrics: Sendable {
    /// The `result` label of `caseworker_webhook_attempts_total`.
    public enum AttemptResultLabel: String, Sendable, CaseIterable {
        case success
        case httpError = "http_error"
        case transportError = "transport_error"

        init(_ result: AttemptResult) {
            switch (result.status, result.error) {
            case (.some(200...299), nil): self = .success
            case (.some, nil): self = .httpError
            default: self = .transportError
            }
        }
    }

    private let attempts: [AttemptResultLabel: Counter]
    private let endpointsDisabled: Counter
    private let pending: Gauge
    private let oldestPendingAge: Gauge

    /// `factory` defaults to the process-wide `MetricsSystem.factory` (a no-op until the daemon
    /// bootstraps it); tests pass their own.
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        var attempts: [AttemptResultLabel: Counter] = [:]
        for result in AttemptResultLabel.allCases {
            attempts[result] = Counter(
                label: "caseworker_webhook_attempts_total", dimensions: [("result", result.rawValue)], factory: factory)
        }
        self.attempts = attempts
        endpointsDisabled = Counter(label: "caseworker_webhook_endpoints_disabled_total", factory: factory)
        pending = Gauge(label: "caseworker_webhook_deliveries_pending", factory: factory)
        oldestPendingAge = Gauge(label: "caseworker_webhook_oldest_pending_delivery_age_seconds", factory: factory)
    }

    func attemptSent(_ result: AttemptResult) {
        attempts[AttemptResultLabel(result)]?.increment()
    }

    func endpointDisabled() {
        endpointsDisabled.increment()
    }

    /// Sets the backlog gauges; the age is 0 when nothing is pending.
    func backlog(_ backlog: DeliveryBacklog, now: Date) {
        pending.record(backlog.pending)
        oldestPendingAge.record(backlog.oldestCreatedAt.map { max(0, now.timeIntervalSince($0)) } ?? 0)
    }
}
