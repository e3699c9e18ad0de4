import Synchronization

/// In-process notifications of committed changes, so that waiters wake within milliseconds of a
/// commit instead of polling. The store fires them after its transactions commit; a
/// multi-instance store (PostgreSQL) would back them with LISTEN/NOTIFY.
public final class StoreSignals: Sendable {
    /// Fired when runs may have become due (a run was started, a step finished, claims released).
    public let workAvailable = WorkSignal()
    /// Fired with a run id whenever that run's row changed, and with `taskQueueKey` when a
    /// worker task of the tenant was queued.
    public let runChanges = ChangeFeed()

    public init() {}

    /// The `runChanges` key a tenant's polling workers wait on (no run id looks like it).
    public static func taskQueueKey(tenantId: String) -> String { "tasks:" + tenantId }
}

/// Per-key change notifications for many concurrent waiters (long polls): each waiter holds a
/// continuation, not a thread or a database connection.
public final class ChangeFeed: Sendable {
    private struct Waiter {
        var changed = false
        var continuation: CheckedContinuation<Void, Never>?
    }

    private let waiters = Mutex<[String: [Int: Waiter]]>([:])
    private let nextToken = Atomic<Int>(0)
    private let closed = Atomic(false)

    public init() {}

    /// Whether `close()` was called.
    public var isClosed: Bool { closed.load(ordering: .acquiring) }

    /// Wakes every waiter and makes later waits return at once: the server is shutting down and
    /// long polls must not hold it up.
    public func close() {
        closed.store(true, ordering: .releasing)
        let keys = waiters.withLock { Array($0.keys) }
        for key in keys { notify(key) }
    }

    /// Wakes every waiter of `key`.
    public func notify(_ key: String) {
        let continuations = waiters.withLock { waiters -> [CheckedContinuation<Void, Never>] in
            guard var forKey = waiters[key] else { return [] }
            var resumed: [CheckedContinuation<Void, Never>] = []
            for token in forKey.keys {
                if let continuation = forKey[token]?.continuation { resumed.append(continuation) }
                forKey[token] = Waiter(changed: true, continuation: nil)
            }
            waiters[key] = forKey
            return resumed
        }
        for continuation in continuations { continuation.resume() }
    }

    /// Subscribes to `key`, runs `check` (which reads the current state and returns `true` when
    /// the caller need not wait), and if it returned `false` waits until `key` changes, `timeout`
    /// passes or the task is cancelled. Subscribing before checking means no change is missed.
    public func wait(for key: String, timeout: Duration, unless check: () async throws -> Bool) async rethrows {
        let token = nextToken.add(1, ordering: .relaxed).newValue
        waiters.withLock { $0[key, default: [:]][token] = Waiter() }
        defer {
            waiters.withLock { waiters in
                waiters[key]?[token] = nil
                if waiters[key]?.isEmpty == true { waiters[key] = nil }
            }
        }
        guard try await !check(), !closed.load(ordering: .acquiring) else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForChange(key: key, token: token) }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    /// The number of waiters, for tests and metrics.
    public var waiterCount: Int { waiters.withLock { $0.values.reduce(0) { $0 + $1.count } } }

    private func waitForChange(key: String, token: Int) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = waiters.withLock { waiters -> Bool in
                    guard let waiter = waiters[key]?[token], !waiter.changed, !Task.isCancelled else { return true }
                    waiters[key]?[token]?.continuation = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let continuation = waiters.withLock { waiters -> CheckedContinuation<Void, Never>? in
                defer { waiters[key]?[token]?.continuation = nil }
                return waiters[key]?[token]?.continuation
            }
            continuation?.resume()
        }
    }
}
