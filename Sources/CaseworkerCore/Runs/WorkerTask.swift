import Foundation

/// A unit of work a `task` step hands to external workers (`POST /v1/tasks/poll`): the step
/// waits (`RunWait.taskQueue`) until a worker completes or fails it, or its deadline passes.
///
/// Life of a task: `QUEUED` (inserted with the step's suspension) → `LEASED` by a poll, for
/// `leaseSeconds`, extended by heartbeats → `COMPLETED` or `FAILED` by its worker; a lease that
/// expires makes it claimable again by the next poll (a new lease and attempt); the step's
/// deadline, the run's end or a retry of the step close it (`CANCELLED`). Each lease has its
/// own id: heartbeats and results name the lease, so a worker whose lease was lost (taken over
/// after expiry, or closed) is refused (409) and changes nothing.
public struct WorkerTask: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, CaseIterable {
        case queued = "QUEUED"
        case leased = "LEASED"
        case completed = "COMPLETED"
        case failed = "FAILED"
        case cancelled = "CANCELLED"

        public var isFinal: Bool { self == .completed || self == .failed || self == .cancelled }
    }

    public var id: String
    public var tenantId: String
    public var runId: String
    public var caseId: String
    public var stepId: String
    /// The attempt of the step the task belongs to (a retried step makes a new task).
    public var stepAttempt: Int
    public var queue: String
    public var input: JSONValue
    /// How long a lease lasts without a heartbeat.
    public var leaseSeconds: Double
    /// The step's deadline: after it the step ends `TIMEOUT`.
    public var deadline: Date
    public var createdAt: Date

    public init(
        id: String, tenantId: String, runId: String, caseId: String, stepId: String, stepAttempt: Int, queue: String,
        input: JSONValue, leaseSeconds: Double, deadline: Date, createdAt: Date
    ) {
        self.id = id
        self.tenantId = tenantId
        self.runId = runId
        self.caseId = caseId
        self.stepId = stepId
        self.stepAttempt = stepAttempt
        self.queue = queue
        self.input = input
        self.leaseSeconds = leaseSeconds
        self.deadline = deadline
        self.createdAt = createdAt
    }

    /// A queue name: 1–48 letters, digits, `.`, `_` or `-`.
    public static func isValidQueue(_ name: String) -> Bool { Identifier.matches(name, maxLength: 48) }

    /// `heartbeatSeconds` when a `task` step names none.
    public static let defaultLeaseSeconds = 30.0
}

/// A task as a worker holds it: the answer of a poll and of a heartbeat.
public struct WorkerTaskLease: Sendable, Hashable {
    /// The lease's id: heartbeats, completion and failure name it.
    public var id: String
    public var task: WorkerTask
    /// The lease number of the task, from 1 (a lease lost to expiry counts).
    public var attempt: Int
    public var worker: String
    public var expiresAt: Date

    public init(id: String, task: WorkerTask, attempt: Int, worker: String, expiresAt: Date) {
        self.id = id
        self.task = task
        self.attempt = attempt
        self.worker = worker
        self.expiresAt = expiresAt
    }
}

/// What a worker reports for its lease.
public enum WorkerTaskResult: Sendable, Hashable {
    /// `POST /v1/tasks/{id}/complete {output}`: the step ends `OK` with `output`.
    case completed(output: JSONValue)
    /// `POST /v1/tasks/{id}/fail {code, message, retryable}`: the step ends `KO` with `code`;
    /// retried by the step's retry policy when `retryable`.
    case failed(code: String, message: String, retryable: Bool)

    /// What the waiting run's `RunWait.payload` holds, with the worker's name.
    public func payload(worker: String, attempt: Int) -> JSONValue {
        switch self {
        case .completed(let output):
            ["status": "OK", "output": output, "worker": .string(worker), "attempt": .int(attempt)]
        case .failed(let code, let message, let retryable):
            [
                "status": "KO", "code": .string(code), "message": .string(message), "retryable": .bool(retryable),
                "worker": .string(worker), "attempt": .int(attempt),
            ]
        }
    }
}
