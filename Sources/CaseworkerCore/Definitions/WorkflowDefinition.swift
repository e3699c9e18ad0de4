/// The content of one version of a workflow definition (SPEC 2.4), parsed and checked.
///
/// Build it with `init(parsing:)`, which validates everything and reports every problem with its
/// JSON pointer. `document` is the content exactly as given (what is stored, shown and hashed);
/// the other properties are its parsed form, so templates are parsed once, at save.
public struct WorkflowDefinition: Sendable {
    public enum TimeoutPolicy: String, Sendable, Hashable, CaseIterable {
        /// After `timeoutSeconds`, the run ends `TIMED_OUT`.
        case timeOutWorkflow = "TIME_OUT_WF"
        /// After `timeoutSeconds`, log, count and emit `workflow.timeout_alert`; the run goes on.
        case alertOnly = "ALERT_ONLY"
    }

    public struct RateLimit: Sendable, Hashable {
        public var key: Template
        public var concurrentExecLimit: Int
    }

    public var name: String
    public var description: String?
    public var owner: String?
    public var tags: [String]
    public var isTemplate: Bool
    public var variables: VariableDeclarations
    public var initialState: [String: JSONValue]
    public var inputSchema: JSONSchema?
    public var enforceSchema: Bool
    public var steps: [Step]
    public var rescue: [Step]
    /// The run's result template; `nil` means the last step's output.
    public var output: TemplatedValue?
    /// 0 means no workflow timeout.
    public var timeoutSeconds: Double
    public var timeoutPolicy: TimeoutPolicy
    public var rateLimit: RateLimit?
    public var failureWorkflow: String?
    /// `errorHandling.retry`: the retry policy of steps that name none.
    public var defaultRetry: RetryPolicy?

    /// The content as given (without `isDraft` and response-only members).
    public var document: JSONValue
    /// Where every step sits, for transitions.
    public let graph: DefinitionGraph

    init(
        name: String, description: String?, owner: String?, tags: [String], isTemplate: Bool,
        variables: VariableDeclarations, initialState: [String: JSONValue], inputSchema: JSONSchema?,
        enforceSchema: Bool, steps: [Step], rescue: [Step], output: TemplatedValue?, timeoutSeconds: Double,
        timeoutPolicy: TimeoutPolicy, rateLimit: RateLimit?, failureWorkflow: String?, defaultRetry: RetryPolicy?,
        document: JSONValue
    ) {
        self.name = name
        self.description = description
        self.owner = owner
        self.tags = tags
        self.isTemplate = isTemplate
        self.variables = variables
        self.initialState = initialState
        self.inputSchema = inputSchema
        self.enforceSchema = enforceSchema
        self.steps = steps
        self.rescue = rescue
        self.output = output
        self.timeoutSeconds = timeoutSeconds
        self.timeoutPolicy = timeoutPolicy
        self.rateLimit = rateLimit
        self.failureWorkflow = failureWorkflow
        self.defaultRetry = defaultRetry
        self.document = document
        self.graph = DefinitionGraph(steps: steps, rescue: rescue)
    }

    /// The step with `id`, wherever it sits.
    public func step(_ id: String) -> Step? { graph.step(id) }

    /// The retry policy for `step`: its own, else the definition's, else the default.
    public func retryPolicy(for step: Step) -> RetryPolicy {
        step.retry ?? defaultRetry ?? .default
    }

    /// First 16 hex digits of the SHA-256 of the canonical JSON of `document`.
    public var hash: String { ContentHash.of(document) }
}
