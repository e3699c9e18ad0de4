import CaseworkerCore
import CaseworkerStore
import CoreMetrics
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// A `Service` that samples the worker tasks waiting for a worker (`WorkerTaskStore.taskBacklog`)
/// every `interval` (default 5 s) into the gauges `caseworker_tasks_waiting` and
/// `caseworker_task_oldest_waiting_age_seconds`, per `queue` (summed over tenants: no series
/// carries a tenant). A queue that empties is recorded as 0 (its gauges stay, as Prometheus
/// expects of a gauge). Samples once at start; a failed sample is logged at warning level and
/// the gauges keep their values.
public final class TaskBacklogSampler: Service {
    private let store: any WorkerTaskStore
    private let factory: any MetricsFactory
    private let interval: Duration
    private let clock: any WallClock
    private let logger: Logger
    /// The queues recorded so far, so that an emptied queue is set to 0.
    private let seen = Mutex<Set<String>>([])

    public init(
        store: any WorkerTaskStore, factory: any MetricsFactory = MetricsSystem.factory, interval: Duration = .seconds(5),
        clock: any WallClock = SystemClock(), logger: Logger
    ) {
        self.store = store
        self.factory = factory
        self.interval = interval
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while true {
                await self.sample()
                try await Task.sleep(for: self.interval)
            }
        }
    }

    /// Takes one sample now.
    public func sample() async {
        do {
            let backlog = try await store.taskBacklog()
            let now = clock.now
            let byQueue = Dictionary(grouping: backlog, by: \.queue)
            for (queue, tenants) in byQueue {
                let oldest = tenants.map(\.oldestCreatedAt).min() ?? now
                record(queue: queue, waiting: tenants.reduce(0) { $0 + $1.waiting }, age: max(0, now.timeIntervalSince(oldest)))
            }
            let current = Set(byQueue.keys)
            let emptied = seen.withLock { seen in
                defer { seen.formUnion(current) }
                return seen.subtracting(current)
            }
            for queue in emptied { record(queue: queue, waiting: 0, age: 0) }
        } catch is CancellationError {
            // Shutting down.
        } catch {
            logger.warning("sampling the worker task backlog failed", metadata: ["error": "\(error)"])
        }
    }

    private func record(queue: String, waiting: Int, age: Double) {
        let dimensions = [("queue", queue)]
        Gauge(label: "caseworker_tasks_waiting", dimensions: dimensions, factory: factory).record(waiting)
        Gauge(label: "caseworker_task_oldest_waiting_age_seconds", dimensions: dimensions, factory: factory).record(age)
    }
}
