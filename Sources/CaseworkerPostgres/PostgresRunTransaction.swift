import CaseworkerCore
import CaseworkerStore
import PostgresNIO

/// `AsyncRunWriteTransaction` on one PostgreSQL transaction: the SQL of applying a `RunChange`.
/// Its commit announces what the SQLite store signals after the same writes: the run changed,
/// work is available when a run is released, started or ended, a worker task was queued.
///
/// Concurrency (READ COMMITTED, other instances writing at the same time):
/// - The run's own row is written by one `UPDATE`, conditional on the claim when the engine
///   commits (`writeRun`), so a run cancelled or taken over meanwhile refuses the change.
/// - A parent is read `FOR UPDATE` before its child's end is applied to it (`readRun`): the
///   ends of a parent's children and branches, committed on any instance, are applied one at a
///   time, and the group each one reads (`branchRuns`, after the lock) holds every end committed
///   before it. So the join's last end always sees the others, as with SQLite's single writer.
///   The branches themselves are not locked there: a branch that ends holds its own row while it
///   waits for the parent's, and locking its siblings would deadlock two ends at once.
/// - Active children are read `FOR UPDATE` before they are cancelled (`activeChildren`), so the
///   cancellation applies to the row as committed, not to a version an engine has moved on from.
/// - A wait between two such transactions locking in the other order (rare) is a deadlock that
///   PostgreSQL breaks by aborting one, and `PostgresStore.write` runs it again.
struct PostgresRunTransaction: AsyncRunWriteTransaction {
    let store: PostgresStore
    let transaction: PostgresTransaction
    /// The JSON of the change, encoded before the transaction (which may be run more than once).
    var encoded: EncodedRunChange? = nil

    private var now: Int64 { store.nowMillis }

    func writeRun(_ change: RunChange, claimedBy owner: String?) async throws {
        let run = change.run
        let wait = run.wait
        let json = EncodedRunChange.of(change, reusing: encoded)
        let written = try await transaction.row(
            """
            UPDATE runs SET status = \(run.status.rawValue), current_step_id = \(run.currentStepId), flow_mode = \(run.flowMode.text),
                attempt = \(run.attempt), steps_executed = \(run.stepsExecuted), state = COALESCE(\(json.state), state),
                step_results = COALESCE(\(json.stepResults), step_results), result = \(json.result), error = \(json.error),
                due_at = \(run.dueAt.map(Timestamp.millis)), claimed_by = \(run.claim?.owner),
                claim_expires_at = \(run.claim.map { Timestamp.millis($0.expiresAt) }), started_at = \(run.startedAt.map(Timestamp.millis)),
                finished_at = \(run.finishedAt.map(Timestamp.millis)), waiting_since = \(wait.map { Timestamp.millis($0.since) }),
                wait_signal = \(wait?.storedSignal), wait_until = \(wait?.until.map(Timestamp.millis)),
                wait_payload = \(wait?.payload.map(JSONText.encode)), wait_child_run_id = \(wait?.childRunId),
                deadline_at = \(run.deadlineAt.map(Timestamp.millis)), timeout_alerted_at = \(run.timeoutAlertedAt.map(Timestamp.millis)),
                executor_failures = \(run.executorFailures), updated_at = \(now)
            WHERE id = \(run.id) AND (\(owner)::text IS NULL OR (claimed_by = \(owner) AND finished_at IS NULL))
            RETURNING id
            """)
        if written == nil, owner != nil { throw StoreError.conflict("run \(run.id) is no longer claimed by this engine") }
        transaction.announce(.runChanged(run.id))
        if run.claim == nil { transaction.announce(.workAvailable) }
    }

    func insertRun(_ run: NewRun) async throws {
        try await PostgresStore.insertRun(run, in: transaction, now: now)
        transaction.announce(.runChanged(run.id))
        transaction.announce(.workAvailable)
    }

    func insertTask(_ task: RunTask, parentStepId: String?) async throws {
        let json = EncodedRunChange.task(task, reusing: encoded)
        try await transaction.execute(
            """
            INSERT INTO run_tasks (id, run_id, step_id, name, action, attempt, status, code, parameters, output,
                error, parent_task_id, started_at, finished_at, child_run_id)
            VALUES (\(task.id), \(task.runId), \(task.stepId), \(task.name), \(task.action), \(task.attempt),
                \(task.outcome.status.rawValue), \(task.outcome.code), \(json.parameters), \(json.output), \(task.error),
                (SELECT id FROM run_tasks WHERE run_id = \(task.runId) AND step_id = \(parentStepId) ORDER BY id DESC LIMIT 1),
                \(Timestamp.millis(task.startedAt)), \(Timestamp.millis(task.finishedAt)), \(task.childRunId))
            """)
    }

    func insertEvent(_ event: OutboxEvent) async throws {
        try await PostgresStore.insertEvent(event, in: transaction, now: now)
    }

    func insertSignal(_ signal: RunSignalRecord, of run: Run) async throws {
        let now = self.now
        try await transaction.execute(
            """
            INSERT INTO run_signals (id, tenant_id, run_id, name, payload, created_at, consumed_at, consumed_by_step)
            VALUES (\(signal.id), \(run.tenantId), \(run.id), \(signal.name), \(JSONText.encode(signal.payload)), \(now),
                \(signal.consumed ? now : nil), \(signal.consumedByStep))
            """)
    }

    /// The signal is locked (`FOR UPDATE`) as it is taken: two transactions never consume the
    /// same one.
    func consumeKeptSignal(of run: Run, name: String, stepId: String?) async throws -> JSONValue? {
        try await transaction.row(
            """
            UPDATE run_signals SET consumed_at = \(now), consumed_by_step = \(stepId)
            WHERE id = (
                SELECT id FROM run_signals
                WHERE tenant_id = \(run.tenantId) AND run_id = \(run.id) AND name = \(name) AND consumed_at IS NULL
                ORDER BY id LIMIT 1 FOR UPDATE)
            RETURNING payload
            """
        ).map { try JSONText.decode($0["payload"].decode(String.self)) }
    }

    /// Locks the run's row (`FOR UPDATE`): see the type's comment.
    func readRun(id: String) async throws -> Run? {
        try await transaction.row("SELECT * FROM runs WHERE id = \(id) FOR UPDATE").map { try Run.reading($0) }
    }

    /// Locks the children's rows (`FOR UPDATE`): see the type's comment.
    func activeChildren(of runId: String) async throws -> [Run] {
        try await transaction.rows("SELECT * FROM runs WHERE parent_run_id = \(runId) AND finished_at IS NULL ORDER BY id FOR UPDATE")
            .map { try Run.reading($0) }
    }

    func branchRuns(of parentId: String, group: String) async throws -> [Run] {
        try await transaction.rows("SELECT * FROM runs WHERE parent_run_id = \(parentId) AND branch_group = \(group) ORDER BY id")
            .map { try Run.reading($0) }
    }

    func insertWorkerTask(_ task: WorkerTask) async throws {
        try await transaction.execute(
            """
            INSERT INTO worker_tasks (id, tenant_id, run_id, case_id, step_id, step_attempt, queue, input, lease_ms, deadline_at,
                status, created_at)
            VALUES (\(task.id), \(task.tenantId), \(task.runId), \(task.caseId), \(task.stepId), \(task.stepAttempt), \(task.queue),
                \(JSONText.encode(task.input)), \(Int64((task.leaseSeconds * 1000).rounded())), \(Timestamp.millis(task.deadline)),
                'QUEUED', \(Timestamp.millis(task.createdAt)))
            """)
        transaction.announce(.taskQueued(tenantId: task.tenantId))
    }

    func closeWorkerTasks(of run: Run) async throws {
        try await transaction.execute(
            """
            UPDATE worker_tasks SET status = 'CANCELLED', lease_expires_at = NULL, finished_at = \(now)
            WHERE run_id = \(run.id) AND status IN ('QUEUED', 'LEASED')
            """)
    }
}
