import Synchronization

/// The claims an engine holds: the runs it executes now, whose claims its heartbeat renews, and
/// the claims it could not release (the database was unreachable when the run stopped), which
/// its heartbeat releases once it can.
///
/// Renewing only the runs in flight matters: a claim the engine no longer executes must expire
/// (or be released) so that this or another instance resumes the run; renewing every claim of
/// the owner kept such a run claimed and idle for as long as the engine lived.
final class HeldClaims: Sendable {
    private struct State {
        var executing: Set<String> = []
        var unreleased: Set<String> = []
    }

    private let state = Mutex(State())

    /// The runs executing now.
    var executing: [String] { state.withLock { Array($0.executing) } }
    var executingCount: Int { state.withLock { $0.executing.count } }
    /// Whether `runId` executes now (a claim of it came back: it is not executed twice).
    func isExecuting(_ runId: String) -> Bool { state.withLock { $0.executing.contains(runId) } }

    func started(_ runId: String) { _ = state.withLock { $0.executing.insert(runId) } }
    func finished(_ runId: String) { _ = state.withLock { $0.executing.remove(runId) } }

    /// The claims to release again.
    var unreleased: [String] { state.withLock { Array($0.unreleased) } }
    func releaseFailed(_ runId: String) { _ = state.withLock { $0.unreleased.insert(runId) } }
    func released(_ runId: String) { _ = state.withLock { $0.unreleased.remove(runId) } }
}
