import CaseworkerCore
import CaseworkerStore
import Logging
import ServiceLifecycle

/// A `Service` that samples the outbox backlog (`DeliveryBacklogStore.deliveryBacklog`) every
/// `interval` (default 5 s) into the gauges `caseworker_webhook_deliveries_pending` and
/// `caseworker_webhook_oldest_pending_delivery_age_seconds`.
///
/// It samples once at start, so the gauges are right from the first scrape after start-up, and
/// stops at graceful shutdown. A failed sample is logged at warning level and the gauges keep
/// their last values until the next one succeeds.
public struct DeliveryBacklogSampler: Service {
    private let store: any DeliveryBacklogStore
    private let metrics: DeliveryMetrics
    private let interval: Duration
    private let clock: any WallClock
    private let logger: Logger

    public init(
        store: any DeliveryBacklogStore, metrics: DeliveryMetrics, interval: Duration = .seconds(5),
        clock: any WallClock = SystemClock(), logger: Logger
    ) {
        self.store = store
        self.metrics = metrics
        self.interval = interval
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while true {
                await sample()
                try await Task.sleep(for: interval)
            }
        }
    }

    /// Takes one sample now.
    public func sample() async {
        do {
            metrics.backlog(try await store.deliveryBacklog(), now: clock.now)
        } catch is CancellationError {
            // Shutting down: the read was cut short; nothing to report.
        } catch {
            logger.warning("sampling the webhook backlog failed", metadata: ["error": "\(error)"])
        }
    }
}
