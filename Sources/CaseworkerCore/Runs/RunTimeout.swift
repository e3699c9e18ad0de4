import Foundation

/// The workflow timeout of a run (`timeoutSeconds`, `timeoutPolicy`), counted from the moment the
/// engine starts the run (its first claim out of `PENDING`, and again after a retry).
public struct RunTimeout: Sendable, Hashable {
    public var seconds: Double
    public var policy: WorkflowDefinition.TimeoutPolicy

    public init(seconds: Double, policy: WorkflowDefinition.TimeoutPolicy) {
        self.seconds = seconds
        self.policy = policy
    }

    public var milliseconds: Int64 { Int64((seconds * 1000).rounded(.up)) }
}

extension WorkflowDefinition {
    /// The run's workflow timeout; `nil` when `timeoutSeconds` is 0.
    public var runTimeout: RunTimeout? {
        timeoutSeconds > 0 ? RunTimeout(seconds: timeoutSeconds, policy: timeoutPolicy) : nil
    }
}
