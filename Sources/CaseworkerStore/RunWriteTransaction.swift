import CaseworkerCore
import Foundation

/// The writes of one store transaction that applying a `RunChange` needs: each adapter fills it
/// with its SQL; `apply` (the same for every store) gives a change its meaning.
///
/// Synchronous, for a store whose transactions are (SQLite: GRDB's write closures); a store
/// with an asynchronous driver implements its twin `AsyncRunWriteTransaction`.
public protocol RunWriteTransaction {
    /// Writes the run's row as `change.run` leaves it (see `RunChange`). With `owner`, only while
    /// `owner` claims the run and it is not terminal; else `StoreError.conflict`, before anything
    /// is written (e.g. the run was cancelled, or another engine took an expired claim, while the
    /// step was in flight).
    func writeRun(_ change: RunChange, claimedBy owner: String?) throws
    func insertRun(_ run: NewRun) throws
    func insertTask(_ task: RunTask, parentStepId: String?) throws
    /// Writes the event and one `PENDING` delivery, due now, per enabled endpoint of the tenant
    /// subscribed to its type and definition.
    func insertEvent(_ event: OutboxEvent) throws
    func insertSignal(_ signal: RunSignalRecord, of run: Run) throws
    /// Marks the earliest kept, unconsumed signal `name` of `run` consumed by `stepId` and answers
    /// its payload; `nil` when there is none.
    func consumeKeptSignal(of run: Run, name: String, stepId: String?) throws -> JSONValue?
    func readRun(id: String) throws -> Run?
    /// The run's children that have not ended, in id order.
    func activeChildren(of runId: String) throws -> [Run]
    /// The branch runs of `group` (`RunBranch.group`) of the run `parentId`, in id order (the
    /// order of the branches).
    func branchRuns(of parentId: String, group: String) throws -> [Run]
    /// Inserts `task` `QUEUED` (a `task` step suspended on it).
    func insertWorkerTask(_ task: WorkerTask) throws
    /// Closes the run's `QUEUED` and `LEASED` worker tasks (`CANCELLED`).
    func closeWorkerTasks(of run: Run) throws
}

/// `RunWriteTransaction` for a store whose driver is asynchronous (PostgreSQL): the same
/// requirements with the same contracts, each `async`.
public protocol AsyncRunWriteTransaction {
    func writeRun(_ change: RunChange, claimedBy owner: String?) async throws
    func insertRun(_ run: NewRun) async throws
    func insertTask(_ task: RunTask, parentStepId: String?) async throws
    func insertEvent(_ event: OutboxEvent) async throws
    func insertSignal(_ signal: RunSignalRecord, of run: Run) async throws
    func consumeKeptSignal(of run: Run, name: String, stepId: String?) async throws -> JSONValue?
    func readRun(id: String) async throws -> Run?
    func activeChildren(of runId: String) async throws -> [Run]
    func branchRuns(of parentId: String, group: String) async throws -> [Run]
    func insertWorkerTask(_ task: WorkerTask) async throws
    func closeWorkerTasks(of run: Run) async throws
}

// The two `apply`s below MUST stay the same, line for line but for `await`: they are one
// meaning of a `RunChange` written twice because Swift cannot abstract over `async` (GRDB's
// write closures are synchronous, PostgresNIO's queries are not). The store conformance suite
// runs against both stores (`CASEWORKER_TEST_STORE`), so a difference shows as a failure there.

extension RunWriteTransaction {
    /// Applies `change` and its effects inside the caller's transaction: runs it starts are
    /// inserted first (the run's wait may name one), then the row (under `owner`'s claim when
    /// given), the tasks, events and signals; then the parent and the children the ended run
    /// affects, each changed as `RunLifecycle` says. Returns the run as written.
    @discardableResult
    public func apply(_ change: RunChange, claimedBy owner: String? = nil, context: LifecycleContext) throws -> Run {
        var change = change
        for case .consumeKeptSignal(let name, let stepId, _) in change.effects {
            if let payload = try consumeKeptSignal(of: change.run, name: name, stepId: stepId) {
                change = RunLifecycle.keptSignalConsumed(change, payload: payload, now: context.now)
            }
        }
        for case .startRun(let new) in change.effects { try insertRun(new) }
        try writeRun(change, claimedBy: owner)
        for effect in change.effects {
            switch effect {
            case .recordTask(let task, let parentStepId): try insertTask(task, parentStepId: parentStepId)
            case .emit(let event): try insertEvent(event)
            case .consumeKeptSignal(_, _, let waiting): try insertEvent(waiting)
            case .storeSignal(let signal): try insertSignal(signal, of: change.run)
            case .startRun: break
            case .wakeParent(let parentId):
                guard let parent = try readRun(id: parentId) else { break }
                let branches: [Run] = if let branch = change.run.branch { try branchRuns(of: parentId, group: branch.group) } else { [] }
                if let woken = RunLifecycle.childEnded(parent, child: change.run, branches: branches, context: context) {
                    try apply(woken, context: context)
                }
            case .enqueueTask(let task): try insertWorkerTask(task)
            case .closeTasks: try closeWorkerTasks(of: change.run)
            case .cancelBranches(let group, let reason):
                for branch in try branchRuns(of: change.run.id, group: group) {
                    if let cancelled = RunLifecycle.branchCancelled(branch, reason: reason, context: context) {
                        try apply(cancelled, context: context)
                    }
                }
            case .cancelChildren:
                for child in try activeChildren(of: change.run.id) {
                    if let cancelled = RunLifecycle.parentEnded(child, parent: change.run, context: context) {
                        try apply(cancelled, context: context)
                    }
                }
            }
        }
        return change.run
    }
}

extension AsyncRunWriteTransaction {
    /// `RunWriteTransaction.apply`, awaiting each write.
    @discardableResult
    public func apply(_ change: RunChange, claimedBy owner: String? = nil, context: LifecycleContext) async throws -> Run {
        var change = change
        for case .consumeKeptSignal(let name, let stepId, _) in change.effects {
            if let payload = try await consumeKeptSignal(of: change.run, name: name, stepId: stepId) {
                change = RunLifecycle.keptSignalConsumed(change, payload: payload, now: context.now)
            }
        }
        for case .startRun(let new) in change.effects { try await insertRun(new) }
        try await writeRun(change, claimedBy: owner)
        for effect in change.effects {
            switch effect {
            case .recordTask(let task, let parentStepId): try await insertTask(task, parentStepId: parentStepId)
            case .emit(let event): try await insertEvent(event)
            case .consumeKeptSignal(_, _, let waiting): try await insertEvent(waiting)
            case .storeSignal(let signal): try await insertSignal(signal, of: change.run)
            case .startRun: break
            case .wakeParent(let parentId):
                guard let parent = try await readRun(id: parentId) else { break }
                let branches: [Run] = if let branch = change.run.branch { try await branchRuns(of: parentId, group: branch.group) } else { [] }
                if let woken = RunLifecycle.childEnded(parent, child: change.run, branches: branches, context: context) {
                    try await apply(woken, context: context)
                }
            case .enqueueTask(let task): try await insertWorkerTask(task)
            case .closeTasks: try await closeWorkerTasks(of: change.run)
            case .cancelBranches(let group, let reason):
                for branch in try await branchRuns(of: change.run.id, group: group) {
                    if let cancelled = RunLifecycle.branchCancelled(branch, reason: reason, context: context) {
                        try await apply(cancelled, context: context)
                    }
                }
            case .cancelChildren:
                for child in try await activeChildren(of: change.run.id) {
                    if let cancelled = RunLifecycle.parentEnded(child, parent: change.run, context: context) {
                        try await apply(cancelled, context: context)
                    }
                }
            }
        }
        return change.run
    }
}
