import CaseworkerCore
import Foundation

/// What an action is given for one attempt of a step.
public struct ActionInput: Sendable {
    public var runId: String
    public var stepId: String
    public var attempt: Int
    /// The step's config with every template evaluated.
    public var config: JSONValue
    /// The step's `timeoutSeconds`, if any (the engine enforces it as well).
    public var stepTimeout: Duration?

    public init(runId: String, stepId: String, attempt: Int, config: JSONValue, stepTimeout: Duration?) {
        self.runId = runId
        self.stepId = stepId
        self.attempt = attempt
        self.config = config
        self.stepTimeout = stepTimeout
    }
}

/// What an attempt of an action produced.
public enum ActionResult: Sendable, Equatable {
    /// The step ended with `outcome`; `retryable` says whether a KO/TIMEOUT may be retried under
    /// the step's retry policy (transport errors, 5xx, 429, timeouts).
    case outcome(StepOutcome, output: JSONValue, error: String?, retryable: Bool, stateChanges: [String: JSONValue])
    /// The run completes (`complete`); `result` is the step's output.
    case completeRun(result: JSONValue)
    /// The run fails (`fail`), without running rescue steps.
    case failRun(reason: String, code: String?)
    /// The step suspends (`wait`, `await`): the engine stores the wait, the run becomes `WAITING`
    /// and the step's outcome is decided when it wakes.
    case suspend(Suspension)
    /// The step publishes a custom event (`event.emit`): it ends `OK` with output `{type, eventId}`
    /// and the event is written to the outbox with the step's completion.
    case publish(type: WebhookEventType, data: JSONValue)

    public static func ok(_ output: JSONValue, code: String? = nil, stateChanges: [String: JSONValue] = [:]) -> ActionResult {
        .outcome(StepOutcome(.ok, code: code), output: output, error: nil, retryable: false, stateChanges: stateChanges)
    }

    public static func ko(_ code: String, _ error: String, output: JSONValue = .null, retryable: Bool = false) -> ActionResult {
        .outcome(StepOutcome(.ko, code: code), output: output, error: error, retryable: retryable, stateChanges: [:])
    }
}

/// One kind of step (`http.request`, `transform`, ...).
///
/// An action gets its config already resolved and returns a result; it never touches the store.
/// Thrown errors are turned into KO outcomes by the engine (code `action_error`). To add an
/// action, implement this protocol and register it in `ActionRegistry`: the engine's loop does
/// not change.
public protocol Action: Sendable {
    /// Whether an attempt has effects outside the run's own rows: a request sent, a wait stored,
    /// a child run started. A step of an action without them may run before the steps before it
    /// are committed (`RunExecutor.mayRunAhead`), because a crash before that commit only makes
    /// it run again the same way. When in doubt, `true`: such a step starts only once everything
    /// before it is committed.
    var hasSideEffects: Bool { get }

    func execute(_ input: ActionInput) async throws -> ActionResult
}

/// The actions the engine can run, by name.
public struct ActionRegistry: Sendable {
    private var actions: [ActionName: any Action]

    public init(_ actions: [ActionName: any Action]) {
        self.actions = actions
    }

    /// The actions of this release, with `http` for `http.request` and `exec` for `exec` (by
    /// default one with no program listed).
    public static func standard(http: HTTPRequestAction, exec: ExecAction = ExecAction()) -> ActionRegistry {
        ActionRegistry([
            .httpRequest: http, .transform: TransformAction(), .switch: SwitchAction(), .complete: CompleteAction(),
            .fail: FailAction(), .wait: WaitAction(), .await: AwaitAction(),
            .workflowRun: WorkflowRunAction(), .eventEmit: EventEmitAction(), .task: TaskAction(),
            .exec: exec,
        ])
    }

    public subscript(name: ActionName) -> (any Action)? { actions[name] }

    /// Whether a step of `name` has effects outside the run (`Action.hasSideEffects`); an action
    /// not registered counts as having them.
    public func hasSideEffects(_ name: ActionName) -> Bool {
        actions[name]?.hasSideEffects ?? true
    }
}
