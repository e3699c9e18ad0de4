import CaseworkerCore
import Foundation

/// What a `task` step asks for: a worker task on `queue` with `input`, finished by a worker
/// within `timeoutSeconds`, its leases lasting `leaseSeconds` without a heartbeat.
public struct TaskRequest: Sendable, Hashable {
    public var queue: String
    public var input: JSONValue
    public var timeoutSeconds: Double
    public var leaseSeconds: Double
}

/// `task` — config `{queue, input?, timeoutSeconds, heartbeatSeconds?}`: hands work to the
/// tenant's external workers (`WorkerTask`, `/v1/tasks`) and waits for it durably, like an
/// `await`. The step ends `OK` with the worker's `output`; `KO` with the worker's code (retried
/// under the step's retry policy when the worker said `retryable`); `TIMEOUT` when no worker
/// finished it within `timeoutSeconds` (retryable). Values computed by templates are checked
/// here: a wrong one is `KO` `invalid_config`.
struct TaskAction: Action {
    /// The task is inserted with the run's commit.
    var hasSideEffects: Bool { true }

    func execute(_ input: ActionInput) async throws -> ActionResult {
        guard let queue = input.config["queue"]?.stringValue, WorkerTask.isValidQueue(queue) else {
            return .ko("invalid_config", "task: queue must be 1–48 letters, digits, '.', '_' or '-'")
        }
        guard let timeout = input.config["timeoutSeconds"]?.doubleValue else {
            return .ko("invalid_config", "task: timeoutSeconds is required")
        }
        let lease = input.config["heartbeatSeconds"]?.doubleValue ?? min(WorkerTask.defaultLeaseSeconds, timeout)
        let taskInput = input.config["input"].flatMap { $0.isNull ? nil : $0 } ?? .object([:])
        return .suspend(.task(TaskRequest(queue: queue, input: taskInput, timeoutSeconds: timeout, leaseSeconds: lease)))
    }
}
