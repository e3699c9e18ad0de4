import CaseworkerCore
import Foundation

/// How a wait is stored in the `runs` columns `waiting_since`, `wait_signal`, `wait_until`,
/// `wait_payload` and `wait_child_run_id`, in every store.
extension RunWait {
    /// The reserved `wait_signal` of a child wait: the schema requires a signal name or a time
    /// on every wait, and `@` is not allowed in a signal sent through the API.
    public static let childSignal = "@child"

    /// The reserved `wait_signal` prefix of a task wait, followed by the queue.
    public static let taskSignalPrefix = "@task:"

    /// What `wait_signal` stores for this wait.
    public var storedSignal: String? {
        if childRunId != nil { return Self.childSignal }
        if let taskQueue { return Self.taskSignalPrefix + taskQueue }
        return signal
    }

    /// The wait read back from its columns (`storedSignal` is what `wait_signal` holds).
    public init(since: Date, storedSignal stored: String?, until: Date?, payload: JSONValue?, childRunId: String?) {
        let taskQueue = stored.flatMap { $0.hasPrefix(Self.taskSignalPrefix) ? String($0.dropFirst(Self.taskSignalPrefix.count)) : nil }
        self.init(
            signal: childRunId == nil && taskQueue == nil ? stored : nil, until: until, since: since, payload: payload,
            childRunId: childRunId, taskQueue: taskQueue)
    }
}
