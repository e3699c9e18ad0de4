import CaseworkerCore
import CaseworkerStore
import Foundation
import GRDB

/// What follows a run's terminal transition, written in that transition's transaction.
extension SQLiteStore {
    /// Ends the active `run` with `status` and `error` from outside its steps (a cancel, a
    /// workflow timeout, a cancelled parent): status, error and finish time set; current step,
    /// due time, claim and wait cleared. Clearing the claim abandons a step in flight: its
    /// `finishSteps` then finds the run terminal and records nothing. Writes the status's event
    /// and then `runEnded`. Returns the ended run.
    func endRun(_ db: Database, _ run: Run, status: RunStatus, error: RunError, now: Int64) throws -> Run {
        try db.execute(
            cached: """
                UPDATE runs SET status = ?1, error = ?2, current_step_id = NULL, due_at = NULL, claimed_by = NULL,
                    waiting_since = NULL, wait_signal = NULL, wait_until = NULL, wait_payload = NULL, wait_child_run_id = NULL,
                    started_at = COALESCE(started_at, ?3), finished_at = ?3, updated_at = ?3
                WHERE tenant_id = ?4 AND id = ?5
                """,
            arguments: [status.rawValue, JSONText.encode(error.json), now, run.tenantId, run.id])
        let ended = try Self.fetchRun(db, tenantId: run.tenantId, id: run.id)!
        if let eventType = status.eventType {
            try Self.enqueueEvent(
                db, tenantId: run.tenantId, type: eventType, data: ended.eventData, runId: run.id, eventId: "msg_" + newId(), now: now)
        }
        try runEnded(db, ended, now: now)
        db.afterNextTransaction { _ in self.signals.runChanges.notify(run.id) }
        return ended
    }

    /// Called in the transaction in which `run` became terminal (whoever ended it):
    ///
    /// 1. A parent `WAITING` for this run (its `workflow.run` step) becomes due now; the engine
    ///    then ends that step from this run's outcome.
    /// 2. The run's active child runs are cancelled (recursively, each with its event): a
    ///    cancelled or timed-out parent takes its children with it.
    /// 3. A `FAILED` or `TIMED_OUT` run whose definition names a `failureWorkflow` starts it
    ///    (`startFailureWorkflow`).
    func runEnded(_ db: Database, _ run: Run, now: Int64) throws {
        if let parentId = run.parentRunId {
            try db.execute(
                cached: """
                    UPDATE runs SET due_at = ?1, updated_at = ?1
                    WHERE id = ?2 AND status = 'WAITING' AND wait_child_run_id = ?3 AND claimed_by IS NULL
                    """,
                arguments: [now, parentId, run.id])
            if db.changesCount > 0 {
                db.afterNextTransaction { _ in
                    self.signals.runChanges.notify(parentId)
                    self.signals.workAvailable.signal()
                }
            }
        }
        let children = try Row.fetchAll(
            db, cached: "SELECT * FROM runs WHERE parent_run_id = ? AND finished_at IS NULL ORDER BY id", arguments: [run.id]
        ).map { Run.reading($0).run }
        for child in children {
            let error = RunError(
                code: "cancelled", message: "cancelled because its parent run \(run.id) ended \(run.status.rawValue)",
                stepId: child.currentStepId)
            _ = try endRun(db, child, status: .cancelled, error: error, now: now)
        }
        if run.status == .failed || run.status == .timedOut {
            try startFailureWorkflow(db, failed: run, now: now)
        }
    }
}
