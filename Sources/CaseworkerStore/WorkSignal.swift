import Synchronization

/// A wake-up call for a background service: "work may be waiting, look now".
///
/// `signal()` may be called from anywhere, synchronously (e.g. a database commit hook); it wakes
/// every current `wait`, or, when nobody waits, makes the next `wait` return at once (one
/// signal is remembered, not counted: several before a `wait` wake it once). Any number of tasks
/// may wait at once. Waiting always has a timeout, so a worker that also polls can never miss
/// work for longer than its poll interval, even when a signal is lost (another process committed
/// the work).
///
/// The one wake-up primitive of the daemon: `StoreSignals.workAvailable` (runs may be due; the
/// engine's claim loop waits on it), `SQLiteStore.outboxSignal` (signalled after every commit
/// that inserts a webhook delivery; the dispatcher waits on it), and the engine's wait, at
/// shutdown, for the runs in flight to end.
public final class WorkSignal: Sendable {
    private struct State {
        var pending = false
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Wakes the waiters, or remembers the signal for the next `wait`.
    public func signal() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            if state.waiters.isEmpty {
                state.pending = true
                return []
            }
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns when signalled (or at once if a signal is pending), after `timeout`, or when the
    /// task is cancelled. Returns whether a signal woke it.
    @discardableResult
    public func wait(timeout: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.waitForNotification(); return !Task.isCancelled }
            group.addTask { try? await Task.sleep(for: timeout); return false }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    /// The number of tasks waiting now, for tests.
    public var waiterCount: Int { state.withLock { $0.waiters.count } }

    private func waitForNotification() async {
        let id = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.pending {
                        state.pending = false
                        return true
                    }
                    if Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
