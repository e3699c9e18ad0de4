import CaseworkerCore
import CaseworkerStore
import Foundation
import GRDB

/// `RunWriteTransaction` on the SQLite writer connection: the SQL of applying a `RunChange`.
/// Commits notify the store's signals (the run changed; work is available when a run is released,
/// started or ended).
struct SQLiteRunTransaction: RunWriteTransaction {
    let store: SQLiteStore
    let db: Database
    /// The JSON of the change, encoded before the transaction (the writer connection is the one
    /// serial resource of the daemon, so its transactions hold SQL only: docs/PERFORMANCE.md).
    var encoded: EncodedRunChange? = nil

    func writeRun(_ change: RunChange, claimedBy owner: String?) throws {
        let run = change.run
        let now = Timestamp.millis(store.clock.now)
        let wait = run.wait
        let json = EncodedRunChange.of(change, reusing: encoded)
        var arguments: StatementArguments = [
            run.status.rawValue, run.currentStepId, run.flowMode.text, run.attempt, run.stepsExecuted, json.state, json.stepResults,
            json.result, json.error, run.dueAt.map(Timestamp.millis),
            run.claim?.owner, run.claim.map { Timestamp.millis($0.expiresAt) }, run.startedAt.map(Timestamp.millis),
            run.finishedAt.map(Timestamp.millis), wait.map { Timestamp.millis($0.since) }, wait?.storedSignal,
            wait?.until.map(Timestamp.millis), wait?.payload.map(JSONText.encode), wait?.childRunId,
            run.deadlineAt.map(Timestamp.millis), run.timeoutAlertedAt.map(Timestamp.millis), run.executorFailures, now, run.id,
        ]
        let set = """
            UPDATE runs SET status = ?, current_step_id = ?, flow_mode = ?, attempt = ?, steps_executed = ?,
                state = COALESCE(?, state), step_results = COALESCE(?, step_results), result = ?, error = ?, due_at = ?,
                claimed_by = ?, claim_expires_at = ?, started_at = ?, finished_at = ?, waiting_since = ?, wait_signal = ?,
                wait_until = ?, wait_payload = ?, wait_child_run_id = ?, deadline_at = ?, timeout_alerted_at = ?,
                executor_failures = ?, updated_at = ?
            """
        if let owner {
            arguments += [owner]
            try db.execute(cached: set + " WHERE id = ? AND claimed_by = ? AND finished_at IS NULL", arguments: arguments)
            guard db.changesCount == 1 else { throw StoreError.conflict("run \(run.id) is no longer claimed by this engine") }
        } else {
            try db.execute(cached: set + " WHERE id = ?", arguments: arguments)
        }
        let signals = store.signals
        let released = run.claim == nil
        db.afterNextTransaction { _ in
            signals.runChanges.notify(run.id)
            if released { signals.workAvailable.signal() }
        }
    }

    func insertRun(_ run: NewRun) throws {
        try SQLiteStore.insertRun(db, run, now: Timestamp.millis(store.clock.now))
        let signals = store.signals
        db.afterNextTransaction { _ in
            signals.runChanges.notify(run.id)
            signals.workAvailable.signal()
        }
    }

    func insertTask(_ task: RunTask, parentStepId: String?) throws {
        let json = EncodedRunChange.task(task, reusing: encoded)
        let parentTaskId = try parentStepId.flatMap {
            try String.fetchOne(
                db, cached: "SELECT id FROM run_tasks WHERE run_id = ? AND step_id = ? ORDER BY id DESC LIMIT 1",
                arguments: [task.runId, $0])
        }
        try db.execute(
            cached: """
                INSERT INTO run_tasks (id, run_id, step_id, name, action, attempt, status, code, parameters, output,
                    error, parent_task_id, started_at, finished_at, child_run_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                task.id, task.runId, task.stepId, task.name, task.action, task.attempt, task.outcome.status.rawValue,
                task.outcome.code, json.parameters, json.output, task.error,
                parentTaskId, Timestamp.millis(task.startedAt), Timestamp.millis(task.finishedAt), task.childRunId,
            ])
    }

    func insertEvent(_ event: OutboxEvent) throws {
        try SQLiteStore.insertEvent(
            db, tenantId: event.tenantId, type: event.type, body: event.body, runId: event.runId, definitionId: event.definitionId,
            eventId: event.id, now: Timestamp.millis(store.clock.now))
    }

    func insertSignal(_ signal: RunSignalRecord, of run: Run) throws {
        let now = Timestamp.millis(store.clock.now)
        try db.execute(
            cached: """
                INSERT INTO run_signals (id, tenant_id, run_id, name, payload, created_at, consumed_at, consumed_by_step)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                signal.id, run.tenantId, run.id, signal.name, JSONText.encode(signal.payload), now, signal.consumed ? now : nil,
                signal.consumedByStep,
            ])
    }

    func consumeKeptSignal(of run: Run, name: String, stepId: String?) throws -> JSONValue? {
        guard
            let kept = try Row.fetchOne(
                db,
                cached: """
                    SELECT id, payload FROM run_signals
                    WHERE tenant_id = ? AND run_id = ? AND name = ? AND consumed_at IS NULL ORDER BY id LIMIT 1
                    """,
                arguments: [run.tenantId, run.id, name])
        else { return nil }
        try db.execute(
            cached: "UPDATE run_signals SET consumed_at = ?, consumed_by_step = ? WHERE tenant_id = ? AND id = ?",
            arguments: [Timestamp.millis(store.clock.now), stepId, run.tenantId, kept["id"] as String])
        return try JSONText.decode(kept["payload"] as String)
    }

    func readRun(id: String) throws -> Run? {
        try Row.fetchOne(db, cached: "SELECT * FROM runs WHERE id = ?", arguments: [id]).map(Run.reading)
    }

    func branchRuns(of parentId: String, group: String) throws -> [Run] {
        try Row.fetchAll(
            db, cached: "SELECT * FROM runs WHERE parent_run_id = ? AND branch_group = ? ORDER BY id", arguments: [parentId, group]
        ).map(Run.reading)
    }

    func insertWorkerTask(_ task: WorkerTask) throws {
        try db.execute(
            cached: """
                INSERT INTO worker_tasks (id, tenant_id, run_id, case_id, step_id, step_attempt, queue, input, lease_ms, deadline_at,
                    status, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'QUEUED', ?)
                """,
            arguments: [
                task.id, task.tenantId, task.runId, task.caseId, task.stepId, task.stepAttempt, task.queue, JSONText.encode(task.input),
                Int64((task.leaseSeconds * 1000).rounded()), Timestamp.millis(task.deadline), Timestamp.millis(task.createdAt),
            ])
        let signals = store.signals
        let key = StoreSignals.taskQueueKey(tenantId: task.tenantId)
        db.afterNextTransaction { _ in signals.runChanges.notify(key) }
    }

    func closeWorkerTasks(of run: Run) throws {
        try db.execute(
            cached: """
                UPDATE worker_tasks SET status = 'CANCELLED', lease_expires_at = NULL, finished_at = ?
                WHERE run_id = ? AND status IN ('QUEUED', 'LEASED')
                """,
            arguments: [Timestamp.millis(store.clock.now), run.id])
    }

    func activeChildren(of runId: String) throws -> [Run] {
        try Row.fetchAll(
            db, cached: "SELECT * FROM runs WHERE parent_run_id = ? AND finished_at IS NULL ORDER BY id", arguments: [runId]
        ).map(Run.reading)
    }
}
