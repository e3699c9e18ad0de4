/// One step of a workflow definition (SPEC 2.4 "Step"), parsed and checked.
public struct Step: Sendable, Hashable {
    /// Unique within the whole definition (main steps, inline branches and rescue steps).
    public var id: String
    public var name: String?
    public var action: ActionName
    /// The action's configuration with every string parsed as a template.
    public var config: TemplatedValue
    public var next: [NextRule]
    public var retry: RetryPolicy?
    public var timeoutSeconds: Double?
    public var notes: String?
    public var summary: String?
    /// The branches of a `parallel` step (its `config`, parsed); `nil` for every other action,
    /// and `config` is then the only configuration.
    public var parallel: ParallelStep?

    public init(
        id: String, name: String? = nil, action: ActionName, config: TemplatedValue, next: [NextRule] = [],
        retry: RetryPolicy? = nil, timeoutSeconds: Double? = nil, notes: String? = nil, summary: String? = nil,
        parallel: ParallelStep? = nil
    ) {
        self.id = id
        self.parallel = parallel
        self.name = name
        self.action = action
        self.config = config
        self.next = next
        self.retry = retry
        self.timeoutSeconds = timeoutSeconds
        self.notes = notes
        self.summary = summary
    }
}

/// One entry of a step's `next` list: conditions, then where to go.
public struct NextRule: Sendable, Hashable {
    public enum Target: Sendable, Hashable {
        /// Jump to the step with this id.
        case step(String)
        /// Run these steps, then continue after the step that owns them.
        case steps([Step])
        /// End the run (completed; in rescue, ended with the original failure).
        case stop
    }

    public var status: StepOutcome.Status?
    public var code: String?
    /// A template that must evaluate to `true` (`false` does not match; `null` or any other
    /// value is an evaluation error: null never decides).
    public var when: Template?
    public var target: Target

    public init(status: StepOutcome.Status? = nil, code: String? = nil, when: Template? = nil, target: Target) {
        self.status = status
        self.code = code
        self.when = when
        self.target = target
    }

    /// A rule without any condition: it matches every outcome.
    public var isUnconditional: Bool { status == nil && code == nil && when == nil }
}
