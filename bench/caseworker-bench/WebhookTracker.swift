import Synchronization

/// What the driver knows about W1's runs: when each started (the run-start request was sent) and
/// when its verified `workflow.completed` webhook arrived. A driver task waits here for its run's
/// webhook; a webhook may arrive before the start request's answer, and is kept until then.
final class WebhookTracker: Sendable {
    struct Counts {
        var verified = 0
        var duplicates = 0
        var badSignature = 0
        var wrongResult = 0
        var unknownRun = 0
    }

    private struct State {
        var received: [String: UInt64] = [:]
        var waiters: [String: CheckedContinuation<UInt64?, Never>] = [:]
        var counts = Counts()
        var abandoned = false
    }

    private let state = Mutex(State())

    var counts: Counts { state.withLock { $0.counts } }

    /// A verified webhook for `runId` arrived at `at` (monotonic ns).
    func received(runId: String, at: UInt64, resultIsRight: Bool) {
        let waiter = state.withLock { state -> CheckedContinuation<UInt64?, Never>? in
            guard state.received[runId] == nil else {
                state.counts.duplicates += 1
                return nil
            }
            state.received[runId] = at
            state.counts.verified += 1
            if !resultIsRight { state.counts.wrongResult += 1 }
            return state.waiters.removeValue(forKey: runId)
        }
        waiter?.resume(returning: at)
    }

    func rejected() { state.withLock { $0.counts.badSignature += 1 } }

    /// When `runId`'s webhook arrived (waiting for it), or `nil` once `abandon()` was called.
    func webhookArrival(runId: String) async -> UInt64? {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> UInt64?? in
                if let at = state.received[runId] { return .some(at) }
                if state.abandoned { return .some(nil) }
                state.waiters[runId] = continuation
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
    }

    /// Gives up on every run still waited for (the benchmark's deadline passed).
    func abandon() {
        let waiters = state.withLock { state -> [CheckedContinuation<UInt64?, Never>] in
            state.abandoned = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: nil) }
    }
}
