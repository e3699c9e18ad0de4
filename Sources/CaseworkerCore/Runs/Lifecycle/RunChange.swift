import Foundation

/// A change of one run, decided by `RunLifecycle`: the run as it is to be stored, and what the
/// same transaction writes with it. A store applies a change atomically and decides nothing.
public struct RunChange: Sendable, Equatable {
    /// The run after the change: the store writes its status, position, attempt and step count,
    /// result, error, wait, due time, claim, deadline, executor failures and start and finish
    /// times as they are here.
    public var run: Run
    /// Whether the store also writes `state` and `stepResults` (a step moved the run on). A change
    /// from outside the steps (cancel, timeout, retry, signal) leaves them as stored.
    public var writesState: Bool
    public var writesStepResults: Bool
    /// What else the transaction writes, in order.
    public var effects: [RunEffect]

    public init(run: Run, writesState: Bool = false, writesStepResults: Bool = false, effects: [RunEffect] = []) {
        self.run = run
        self.writesState = writesState
        self.writesStepResults = writesStepResults
        self.effects = effects
    }
}

/// What a `RunChange` writes besides the run's row.
public enum RunEffect: Sendable, Equatable {
    /// Records a finished attempt on the timeline; for a step of an inline branch, linked to the
    /// latest task of `parentStepId` (`tasksHierarchy`).
    case recordTask(RunTask, parentStepId: String?)
    /// Writes an outbox event and its deliveries.
    case emit(OutboxEvent)
    /// The run suspended on an `await` of `name`: the earliest kept, unconsumed signal of that
    /// name is consumed by `stepId` and the run is as `RunLifecycle.keptSignalConsumed` makes it;
    /// when there is none, `otherwise` (the `workflow.waiting` event) is emitted.
    case consumeKeptSignal(name: String, stepId: String?, otherwise: OutboxEvent)
    /// Stores a signal sent to the run (`RunLifecycle.signal`).
    case storeSignal(RunSignalRecord)
    /// Inserts a `PENDING` run, due now: a child of this run, or this run's failure workflow. It
    /// is inserted before this run's row is written (the run's wait may name it).
    case startRun(NewRun)
    /// This run ended: its parent, read in the same transaction, changes as
    /// `RunLifecycle.childEnded` says.
    case wakeParent(runId: String)
    /// This run ended: each of its active children, read in the same transaction, changes as
    /// `RunLifecycle.parentEnded` says (recursively).
    case cancelChildren
    /// A `parallel` step of this run ended: each active branch run of `group`, read in the same
    /// transaction, changes as `RunLifecycle.branchCancelled` says (recursively).
    case cancelBranches(group: String, reason: String)
    /// A `task` step suspends on this worker task: it is inserted `QUEUED`.
    case enqueueTask(WorkerTask)
    /// The run's open worker tasks (`QUEUED`, `LEASED`) are closed (`CANCELLED`): the step that
    /// waited for them finished (its deadline passed, a worker's result was taken) or the run ended.
    case closeTasks
}

/// An event for the webhook outbox, made with the change that causes it.
public struct OutboxEvent: Sendable, Equatable {
    /// The event id and `webhook-id`: `msg_<ULID>`.
    public var id: String
    public var tenantId: String
    public var type: WebhookEventType
    /// The exact body sent and signed (`WebhookEventBody`).
    public var body: String
    public var runId: String?
    /// The run's definition: endpoints subscribed to other definitions get no delivery.
    public var definitionId: String?

    public init(id: String, tenantId: String, type: WebhookEventType, body: String, runId: String?, definitionId: String?) {
        self.id = id
        self.tenantId = tenantId
        self.type = type
        self.body = body
        self.runId = runId
        self.definitionId = definitionId
    }
}

/// A signal sent to a run: consumed at once by its waiting step, or kept for a later `await`.
public struct RunSignalRecord: Sendable, Equatable {
    public var id: String
    public var name: String
    public var payload: JSONValue
    /// The step that consumed it on arrival; `nil` when kept.
    public var consumedByStep: String?
    public var consumed: Bool

    public init(id: String, name: String, payload: JSONValue, consumedByStep: String?, consumed: Bool) {
        self.id = id
        self.name = name
        self.payload = payload
        self.consumedByStep = consumedByStep
        self.consumed = consumed
    }
}

/// An engine's hold on a run while one of its executors runs it. It lasts until `expiresAt`
/// unless renewed (the engine's heartbeat); once expired, any engine may claim the run, and the
/// old owner's writes are refused.
public struct RunClaim: Sendable, Hashable {
    public var owner: String
    public var expiresAt: Date

    public init(owner: String, expiresAt: Date) {
        self.owner = owner
        self.expiresAt = expiresAt
    }
}

/// What `RunLifecycle` needs besides the run and the event: the time, and fresh ids (events,
/// signals).
public struct LifecycleContext: Sendable {
    public var now: Date
    public var newId: @Sendable () -> String

    public init(now: Date, newId: @escaping @Sendable () -> String) {
        self.now = now
        self.newId = newId
    }
}

/// A change refused because of the run's status (HTTP 409), e.g. cancelling a finished run.
public struct RunConflict: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
