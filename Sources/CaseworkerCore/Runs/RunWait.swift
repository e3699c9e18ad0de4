import Foundation

/// What a `WAITING` run waits for (a `wait` timer, an `await` signal, a `workflow.run` child
/// run, a `parallel` step's branch runs or a `task` step's worker task), stored on the run.
///
/// Contract: a run has a `RunWait` exactly while its current step is a suspended `wait`,
/// `await`, `workflow.run`, `parallel` or `task` step (status `WAITING`, or `RUNNING` once the
/// engine has claimed it to wake it). The run's `dueAt`
/// is `until` (a timer's wake time, an await's timeout) or, once a signal was delivered, the
/// moment of delivery; an await without timeout and without a signal is never due. The wait
/// holds no task, thread or connection: it is these columns and nothing else, so it survives a
/// restart unchanged.
public struct RunWait: Sendable, Hashable {
    /// The awaited signal's name (`await`); `nil` for a timer (`wait`).
    public var signal: String?
    /// A timer's wake time or an await's timeout; `nil` for an await without timeout.
    public var until: Date?
    /// When the step started waiting (the task's `startedAt` when it wakes).
    public var since: Date
    /// The payload of the signal delivered to this await, once delivered; `nil` before.
    public var payload: JSONValue?
    /// The child run a `workflow.run` step waits for; the run is due once the child has ended
    /// (the child's terminal transition makes it due in the same transaction). `signal` and
    /// `until` are `nil` then.
    public var childRunId: String?
    /// The queue of the worker task a `task` step waits for (`WorkerTask`); `signal` is `nil`
    /// then, `until` is the step's deadline, and `payload` the task's result once a worker
    /// finished it (`WorkerTaskResult.payload`).
    public var taskQueue: String?

    public init(
        signal: String?, until: Date?, since: Date, payload: JSONValue? = nil, childRunId: String? = nil, taskQueue: String? = nil
    ) {
        self.taskQueue = taskQueue
        self.signal = signal
        self.until = until
        self.since = since
        self.payload = payload
        self.childRunId = childRunId
    }

    public static func child(_ runId: String, since: Date) -> RunWait {
        RunWait(signal: nil, until: nil, since: since, childRunId: runId)
    }

    public static func timer(until: Date, since: Date) -> RunWait { RunWait(signal: nil, until: until, since: since) }

    public static func task(queue: String, until: Date, since: Date) -> RunWait {
        RunWait(signal: nil, until: until, since: since, taskQueue: queue)
    }
}

/// The answer to `POST /v1/workflows/{id}/signals/{name}`.
public struct SignalReceipt: Sendable, Hashable {
    public var runId: String
    public var signal: String
    /// `true` when the run was waiting for this signal and resumes with it; `false` when the
    /// signal is kept until the run reaches an `await` for it.
    public var consumed: Bool

    public init(runId: String, signal: String, consumed: Bool) {
        self.runId = runId
        self.signal = signal
        self.consumed = consumed
    }
}
