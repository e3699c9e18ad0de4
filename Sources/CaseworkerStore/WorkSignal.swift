import Synchronization

/// A wake-up call for a background service: "work may be waiting, look now".
///
/// `notify()` may be called from anywhere, synchronously (e.g. a database commit hook); it wakes
/// every current `wait`, or, when nobody waits, makes the next `wait` return at once (one
/// notification is remembered, not counted). Waiting always has a timeout, so a worker that also
/// polls can never miss work for longer than its poll interval, even when a notification is lost
/// (another process committed the work).
///
/// `SQLiteStore.outboxSignal` is notified after every commit that inserts a webhook delivery; the
/// dispatcher waits on it.
public final class WorkSignal: Sendable {
    private struct State {
        var pending = false
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Wakes the waiters, or remembers the notification for the next `wait`.
    public func notify() {
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

    /// Returns when notified (or at once if a notification is pending), after `timeout`, or when
    /// the task is cancelled. Returns whether a notification woke it.
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
