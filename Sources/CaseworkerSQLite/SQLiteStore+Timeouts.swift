import CaseworkerCore
import CaseworkerStore
import Foundation
import GRDB

/// Workflow timeouts (SPEC 2.7): a run with `timeoutSeconds` gets `deadline_at` when the engine
/// starts it (the claim out of `PENDING`); the engine applies due deadlines with
/// `applyDueTimeouts`, also those that passed while the daemon was down.
extension SQLiteStore {
    /// The claim's assignment that sets the deadline of a run leaving `PENDING` (`?2` is now).
    static let deadlineOnStart = """
        deadline_at = CASE WHEN status = 'PENDING' AND timeout_ms IS NOT NULL THEN ?2 + timeout_ms ELSE deadline_at END
        """

    /// The earliest deadline of an active run, in Unix milliseconds.
    static func nextDeadline(_ db: Database) throws -> Int64? {
        try Int64.fetchOne(db, cached: "SELECT MIN(deadline_at) FROM runs WHERE deadline_at IS NOT NULL AND finished_at IS NULL")
    }

    public func applyDueTimeouts(now: Date, limit: Int) async throws -> [TimeoutApplied] {
        let nowMillis = Timestamp.millis(now)
        // Most calls find nothing: a read on the partial index, without taking the write lock.
        let anyDue = try await readStatement { db in
            try Bool.fetchOne(
                db, cached: "SELECT EXISTS (SELECT 1 FROM runs WHERE deadline_at <= ? AND finished_at IS NULL)", arguments: [nowMillis])
        }
        guard anyDue == true else { return [] }
        return try await write("applyDueTimeouts") { db in
            let rows = try Row.fetchAll(
                db, cached: "SELECT * FROM runs WHERE deadline_at <= ? AND finished_at IS NULL ORDER BY deadline_at, id LIMIT ?",
                arguments: [nowMillis, limit])
            var applied: [TimeoutApplied] = []
            for row in rows {
                let run = Run.reading(row).run
                let seconds = Double(row["timeout_ms"] as Int64) / 1000
                let limitText = seconds.rounded() == seconds ? String(Int64(seconds)) : String(seconds)
                switch WorkflowDefinition.TimeoutPolicy(rawValue: row["timeout_policy"] ?? "") ?? .timeOutWorkflow {
                case .timeOutWorkflow:
                    let error = RunError(
                        code: "workflow_timeout", message: "the run did not end within its timeout of \(limitText) s",
                        stepId: run.currentStepId)
                    let ended = try self.endRun(db, run, status: .timedOut, error: error, now: nowMillis)
                    applied.append(TimeoutApplied(run: ended, policy: .timeOutWorkflow))
                case .alertOnly:
                    try db.execute(
                        cached: "UPDATE runs SET deadline_at = NULL, timeout_alerted_at = ?1, updated_at = ?1 WHERE id = ?2",
                        arguments: [nowMillis, run.id])
                    var data = run.eventData.objectValue ?? [:]
                    data["timeoutSeconds"] = seconds.rounded() == seconds ? .int(Int(seconds)) : .double(seconds)
                    try Self.enqueueEvent(
                        db, tenantId: run.tenantId, type: WebhookEventType.timeoutAlert.rawValue, data: .object(data), runId: run.id,
                        eventId: "msg_" + self.newId(), now: nowMillis)
                    applied.append(TimeoutApplied(run: run, policy: .alertOnly))
                }
            }
            db.afterNextTransaction { _ in self.signals.workAvailable.signal() }
            return applied
        }
    }
}
