/// The statuses of a run (SPEC 2.7) and which component moves a run out of each:
///
/// - `PENDING`: created by `POST /v1/workflows/run`, a `workflow.run` step (a child), a failed
///   run's `failureWorkflow`, or `POST .../retry`; the engine claims it and starts it (a
///   rate-limited run only when its key has a free slot).
/// - `RUNNING`: the engine executes its current step (or waits durably for a retry's delay);
///   the engine moves it on after each step outcome.
/// - `WAITING`: a `wait` timer, an `await` signal or a `workflow.run` child (`Run.wait`); the
///   engine claims it back to `RUNNING` when it is due (the timer fires, the timeout passes,
///   `POST .../signals/{name}` delivered the signal, or the child ended).
/// - `COMPLETED`, `FAILED`, `TIMED_OUT`: terminal, set by the engine (`TIMED_OUT` also by a
///   passed workflow timeout under `TIME_OUT_WF`).
/// - `CANCELLED`: terminal, set by `POST /v1/workflows/{id}/cancel` from any active status, or
///   when the run's parent ends.
///
/// Only `POST /v1/workflows/{id}/retry` moves a run out of a terminal status: `FAILED` or
/// `TIMED_OUT` back to `PENDING` at its failed step.
public enum RunStatus: String, Sendable, Hashable, CaseIterable {
    case pending = "PENDING"
    case running = "RUNNING"
    case waiting = "WAITING"
    case completed = "COMPLETED"
    case failed = "FAILED"
    case timedOut = "TIMED_OUT"
    case cancelled = "CANCELLED"

    public var isTerminal: Bool {
        switch self {
        case .pending, .running, .waiting: false
        case .completed, .failed, .timedOut, .cancelled: true
        }
    }

    /// The webhook event type written when a run ends with this status.
    public var eventType: String? {
        switch self {
        case .completed: "workflow.completed"
        case .failed: "workflow.failed"
        case .timedOut: "workflow.timed_out"
        case .cancelled: "workflow.cancelled"
        default: nil
        }
    }
}

extension RunFailure {
    public var status: RunStatus { self == .failed ? .failed : .timedOut }
}

extension FlowMode {
    /// The stored form: `main`, `rescue:FAILED` or `rescue:TIMED_OUT`.
    public var text: String {
        switch self {
        case .main: "main"
        case .rescue(let failure): "rescue:\(failure.rawValue)"
        }
    }

    public init?(text: String) {
        switch text {
        case "main": self = .main
        case "rescue:FAILED": self = .rescue(.failed)
        case "rescue:TIMED_OUT": self = .rescue(.timedOut)
        default: return nil
        }
    }
}
