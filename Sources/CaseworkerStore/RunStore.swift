import CaseworkerCore
import Foundation

/// Filters of `GET /v1/workflows`.
public struct RunFilter: Sendable, Equatable {
    public var status: RunStatus?
    public var caseId: String?
    public var workflowDefinitionId: String?
    public var createdAfter: Date?
    /// Runs created before this time (the dashboard's time range).
    public var createdBefore: Date?
    public var correlationId: String?

    public init(
        status: RunStatus? = nil, caseId: String? = nil, workflowDefinitionId: String? = nil, createdAfter: Date? = nil,
        createdBefore: Date? = nil, correlationId: String? = nil
    ) {
        self.createdBefore = createdBefore
        self.correlationId = correlationId
        self.status = status
        self.caseId = caseId
        self.workflowDefinitionId = workflowDefinitionId
        self.createdAfter = createdAfter
    }
}

/// Runs: started by the API, executed by the engine, read by both. The store decides nothing
/// about a run's life: every change comes from `RunLifecycle` and is applied atomically, with its
/// effects (`RunWriteTransaction.apply`), under a claim check where the engine holds one.
public protocol RunStore: Sendable {
    /// Notifications fired after commits (new work, changed runs).
    var signals: StoreSignals { get }
    /// The ids of what is written to this store (runs, tasks, events, signals), whoever makes
    /// them: one generator, so that ids sort in creation order.
    var ids: ULIDGenerator { get }

    /// Stores `run` `PENDING`, due now, unless its case was erased since it was read
    /// (`StoreError.conflict`). Visible to the engine exactly when this commits.
    func startRun(_ run: NewRun) async throws -> Run
    func findRun(tenantId: String, id: String) async throws -> Run?
    /// Runs newest first.
    func listRuns(tenantId: String, filter: RunFilter, page: PageRequest) async throws -> Page<Run>
    /// The run and its tasks in execution order, read in one snapshot (a task never shows without
    /// the run state it led to); `nil` for an unknown run.
    func runExecution(tenantId: String, runId: String) async throws -> (run: Run, tasks: [RunTask])?
    /// The branch runs under the run (of its `parallel` steps, every attempt, nested branches
    /// included), each with its tasks, in id order; at most a few thousand.
    func branchExecutions(tenantId: String, runId: String) async throws -> [(run: Run, tasks: [RunTask])]
    /// The branch runs of `group` (`RunBranch.group`; every group when `nil`) of the run
    /// `parentRunId`, in id order (the branches' order), without their tasks.
    func branchRuns(tenantId: String, parentRunId: String, group: String?) async throws -> [Run]
    /// Where a `PENDING` rate-limited `run` stands in its key's queue; `nil` for any other run.
    func rateLimitPlace(of run: Run) async throws -> RateLimitPlace?
    /// The content of the definition version `versionId` (any tenant's: the engine runs all).
    func definitionContent(versionId: String) async throws -> JSONValue?

    /// Reads the run `id` (of `tenantId`; of any tenant when `nil`) and applies `decide`'s change
    /// to it, in one transaction: `decide` is pure (a `RunLifecycle` function given the run as
    /// stored and the store's time and ids). A `RunConflict` it throws becomes
    /// `StoreError.conflict` and nothing is written; `nil` writes nothing. Answers the run as it
    /// is after, with the applied change; `nil` for an unknown run.
    func changeRun(
        tenantId: String?, id: String, _ decide: @escaping @Sendable (Run, LifecycleContext) throws(RunConflict) -> RunChange?
    ) async throws -> (run: Run, change: RunChange?)?

    // MARK: The engine

    /// Called by an engine at start-up. A store used by one process only (SQLite) releases every
    /// claim, so runs a crash left claimed resume at once; a store shared by several processes
    /// releases nothing (a dead engine's claims expire). Answers how many were released.
    func releaseClaimsAtStartup() async throws -> Int
    /// Claims up to `limit` runs that are claimable at `now` (`RunLifecycle.isClaimable`: active,
    /// due, unclaimed or with an expired claim of another owner) for `owner` until `leaseUntil`,
    /// oldest due first,
    /// each changed as `RunLifecycle.claimed` says. A rate-limited `PENDING` run is claimed only
    /// while its key has a free slot, in creation order. A claimed run whose stored row cannot be
    /// fully read comes back with `unreadableColumns` (the engine ends it): it never fails the
    /// claim of the others.
    func claimDueRuns(owner: String, limit: Int, now: Date, leaseUntil: Date) async throws -> [Run]
    /// Extends the claims `owner` holds on `runIds` (the runs it executes) to `until` (the
    /// engine's heartbeat); its other claims are left to expire. Answers how many it extended.
    func renewClaims(owner: String, runIds: [String], until: Date) async throws -> Int
    /// The earliest due time of an unclaimed active run (not counting `PENDING` runs held back by
    /// their rate limit), claim expiry or workflow-timeout deadline, to sleep until then.
    func nextDueDate() async throws -> Date?
    /// Applies `change` (`RunLifecycle.stepsFinished`, `executorFailed`, `unreadable`) to a run
    /// `owner` claims, atomically with its effects. When `owner` no longer claims the run or it is
    /// terminal (cancelled, timed out, or taken over while the step was in flight):
    /// `StoreError.conflict`, and nothing is written. Answers the run as written.
    func commit(_ change: RunChange, owner: String, context: LifecycleContext) async throws -> Run
    /// Releases `owner`'s claim on a run without changing it (the engine is shutting down).
    func releaseClaim(runId: String, owner: String) async throws
    /// Active runs whose workflow deadline is at or before `now`, earliest first (a read: the
    /// engine applies `RunLifecycle.timeoutDue` to each with `changeRun`).
    func dueTimeouts(now: Date, limit: Int) async throws -> [Run]
}

extension RunStore {
    /// Cancels an active run (`RunLifecycle.cancel`). `nil` for an unknown run;
    /// `StoreError.conflict` for a terminal one.
    public func cancelRun(tenantId: String, id: String) async throws -> Run? {
        try await changeRun(tenantId: tenantId, id: id) { run, context throws(RunConflict) in try RunLifecycle.cancel(run, context: context) }?.run
    }

    /// Restarts a `FAILED` or `TIMED_OUT` run at `stepId` (`RunLifecycle.retry`). `nil` for an
    /// unknown run; `StoreError.conflict` for any other status.
    public func retryRun(tenantId: String, id: String, fromStepId stepId: String) async throws -> Run? {
        try await changeRun(tenantId: tenantId, id: id) { run, context throws(RunConflict) in
            try RunLifecycle.retry(run, fromStepId: stepId, context: context)
        }?.run
    }

    /// Sends the signal `name` with `payload` to an active run (`RunLifecycle.signal`). `nil` for
    /// an unknown run; `StoreError.conflict` for a terminal one. A run waiting for its
    /// `parallel` step's branches passes the signal to the branch run waiting for it
    /// (`awaitingBranch`), if one is; otherwise the run keeps it.
    public func signalRun(tenantId: String, id: String, name: String, payload: JSONValue) async throws -> SignalReceipt? {
        if let branch = try await awaitingBranch(tenantId: tenantId, runId: id, signal: name) {
            // The branch may have ended since it was read: then the run keeps the signal (a branch
            // claimed meanwhile keeps it for its await).
            do {
                if let receipt = try await deliverSignal(tenantId: tenantId, id: branch.id, name: name, payload: payload) {
                    return SignalReceipt(runId: id, signal: name, consumed: receipt.consumed)
                }
            } catch StoreError.conflict {}
        }
        return try await deliverSignal(tenantId: tenantId, id: id, name: name, payload: payload).map {
            SignalReceipt(runId: id, signal: name, consumed: $0.consumed)
        }
    }

    private func deliverSignal(tenantId: String, id: String, name: String, payload: JSONValue) async throws -> SignalReceipt? {
        guard
            let (_, change) = try await changeRun(tenantId: tenantId, id: id, { run, context throws(RunConflict) in
                try RunLifecycle.signal(run, name: name, payload: payload, context: context)
            })
        else { return nil }
        let consumed = change?.effects.contains { if case .storeSignal(let signal) = $0 { signal.consumed } else { false } } ?? false
        return SignalReceipt(runId: id, signal: name, consumed: consumed)
    }

    /// The branch run under `runId` (nested branches included) that waits for the signal
    /// `signal` now, when `runId` waits for its `parallel` step's branches; the first in the
    /// branches' order.
    public func awaitingBranch(tenantId: String, runId: String, signal: String) async throws -> Run? {
        guard let run = try await findRun(tenantId: tenantId, id: runId) else { return nil }
        var waiting = [run]
        var visited = 0
        while !waiting.isEmpty, visited < 1000 {
            let parent = waiting.removeFirst()
            visited += 1
            guard parent.status == .waiting, parent.wait?.signal == nil, let group = parent.wait?.childRunId else { continue }
            for branch in try await branchRuns(tenantId: tenantId, parentRunId: parent.id, group: group) where !branch.status.isTerminal {
                if branch.status == .waiting, branch.wait?.signal == signal, branch.wait?.payload == nil, branch.claim == nil {
                    return branch
                }
                waiting.append(branch)
            }
        }
        return nil
    }
}

/// How many runs of one status were created in one interval (the dashboard's overview).
public struct RunActivity: Sendable, Hashable {
    /// The start of the interval.
    public var start: Date
    public var status: RunStatus
    public var count: Int

    public init(start: Date, status: RunStatus, count: Int) {
        self.start = start
        self.status = status
        self.count = count
    }
}

/// Counts for the dashboard's overview, each scoped by tenant.
public protocol RunActivityStore: Sendable {
    /// The runs created at or after `since`, counted per status and per `bucketSeconds` interval
    /// (aligned to the Unix epoch), by their status now. Reads only the tenant's runs since then.
    /// Branch runs (`RunBranch`) are not counted, here or in `activeRunCount`: their parents are.
    func runActivity(tenantId: String, since: Date, bucketSeconds: Int) async throws -> [RunActivity]
    /// How many of the tenant's runs are active (`PENDING`, `RUNNING`, `WAITING`), whenever started.
    func activeRunCount(tenantId: String) async throws -> Int
    /// The tenant's unfinished deliveries and the oldest one's creation time.
    func deliveryBacklog(tenantId: String) async throws -> DeliveryBacklog
}

/// A page of a run's task timeline, for runs too long to read whole (the dashboard).
public struct RunTimelinePage: Sendable {
    public var run: Run
    /// At most the requested number of tasks after the cursor, in execution order.
    public var tasks: [RunTask]
    public var hasMore: Bool
    /// How many tasks the run has in all.
    public var totalTasks: Int
    /// The ids of the steps the run has executed at least once.
    public var stepsTaken: Set<String>

    public init(run: Run, tasks: [RunTask], hasMore: Bool, totalTasks: Int, stepsTaken: Set<String>) {
        self.run = run
        self.tasks = tasks
        self.hasMore = hasMore
        self.totalTasks = totalTasks
        self.stepsTaken = stepsTaken
    }
}

/// Reads of one page of a run's timeline.
public protocol RunTimelineStore: Sendable {
    /// The run and its tasks with ids above `afterId` (from the first when `nil`), at most `limit`,
    /// read in one snapshot; `nil` for an unknown run of the tenant.
    func runTimeline(tenantId: String, runId: String, afterId: String?, limit: Int) async throws -> RunTimelinePage?
}
