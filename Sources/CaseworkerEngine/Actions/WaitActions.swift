import CaseworkerCore
import Foundation

/// What a suspending action asks the engine for: the run becomes `WAITING` and holds nothing
/// (no task, thread or claim) until it is due. The engine, not the action, stores the wait.
public enum Suspension: Sendable, Equatable {
    /// Wake `seconds` after the attempt started (`wait {seconds}`).
    case timer(seconds: Double)
    /// Wake at `date` (`wait {until}`); a date not after now continues at once.
    case until(Date)
    /// Wait for the signal `name`, at most `timeoutSeconds` (`await`).
    case signal(String, timeoutSeconds: Double?)
    /// Start a child run and wait until it ends (`workflow.run`).
    case child(ChildRunRequest)
    /// Hand a task to the tenant's workers and wait until one finishes it (`task`).
    case task(TaskRequest)
}

/// `wait` — config `{seconds}` or `{until: RFC 3339}`: a durable timer. When it fires the step is
/// `OK` with output `{waitedUntil}`; an `until` that is not an RFC 3339 time is `KO`
/// `invalid_config` (the save-time check cannot see a template's value).
struct WaitAction: Action {
    /// The wait is stored with the run's commit.
    var hasSideEffects: Bool { true }

    func execute(_ input: ActionInput) async throws -> ActionResult {
        if let seconds = input.config["seconds"], !seconds.isNull {
            guard let value = seconds.doubleValue, value >= 0, value.isFinite else {
                return .ko("invalid_config", "wait: seconds must be a number of seconds ≥ 0")
            }
            return .suspend(.timer(seconds: value))
        }
        guard let text = input.config["until"]?.stringValue else {
            return .ko("invalid_config", "wait needs seconds or until")
        }
        guard let date = Timestamp.parse(text) else {
            return .ko("invalid_config", "wait: until must be an RFC 3339 time, got \(text.prefix(64))")
        }
        return .suspend(.until(date))
    }
}

/// `await` — config `{signal, timeoutSeconds?}`: waits for `POST /v1/workflows/{id}/signals/{signal}`.
/// The signal's payload is the step's `OK` output; without a signal by the timeout the step is
/// `TIMEOUT` (not retried). A signal sent before the run got here is consumed at once (the
/// earliest kept one of that name).
struct AwaitAction: Action {
    /// The wait is stored (and a kept signal consumed) with the run's commit.
    var hasSideEffects: Bool { true }

    func execute(_ input: ActionInput) async throws -> ActionResult {
        guard let name = input.config["signal"]?.stringValue, Identifier.matches(name, maxLength: 64) else {
            return .ko("invalid_config", "await: signal must be 1–64 letters, digits, '.', '_' or '-'")
        }
        var timeout: Double?
        if let value = input.config["timeoutSeconds"], !value.isNull {
            guard let seconds = value.doubleValue, seconds > 0, seconds.isFinite else {
                return .ko("invalid_config", "await: timeoutSeconds must be a positive number")
            }
            timeout = seconds
        }
        return .suspend(.signal(name, timeoutSeconds: timeout))
    }
}
