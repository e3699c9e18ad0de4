import CoreMetrics
import Synchronization

/// The `caseworker_db_commit_duration_seconds` histogram, one series per named write transaction
/// (`transaction="commitRun"`, ...), recorded by `SQLiteStore.write`.
///
/// The time covers waiting for the writer connection, the transaction's body and its commit
/// (with `synchronous=FULL`, the fsync): what a caller waits for. Only committed transactions are
/// recorded. The label values are the `StaticString` names in the code, so the series are
/// bounded by the number of named transactions.
final class CommitLatency: Sendable {
    static let label = "caseworker_db_commit_duration_seconds"

    private let factory: any MetricsFactory
    private let timers = Mutex<[String: CoreMetrics.Timer]>([:])

    init(factory: any MetricsFactory) {
        self.factory = factory
    }

    func record(_ transaction: StaticString, _ duration: Duration) {
        let name = transaction.description
        let timer = timers.withLock { timers in
            if let timer = timers[name] { return timer }
            let timer = CoreMetrics.Timer(label: Self.label, dimensions: [("transaction", name)], factory: factory)
            timers[name] = timer
            return timer
        }
        let (seconds, attoseconds) = duration.components
        timer.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
