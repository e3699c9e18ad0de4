import CaseworkerCore
import CaseworkerStore
import Foundation
import GRDB

/// `POST /v1/workflows/{id}/retry` (issue #5).
extension SQLiteStore {
    public func retryRun(tenantId: String, id: String, fromStepId stepId: String) async throws -> Run? {
        let now = nowMillis
        let run = try await write("retryRun") { db -> Run? in
            guard let run = try Self.fetchRun(db, tenantId: tenantId, id: id) else { return nil }
            guard run.status == .failed || run.status == .timedOut else {
                throw StoreError.conflict("run \(id) is \(run.status.rawValue); only FAILED and TIMED_OUT runs can be retried")
            }
            // Back to PENDING at the failed step: the claim restarts it (and sets a new workflow
            // deadline); a rate limit queues it again. Tasks, state and steps results stay.
            try db.execute(
                cached: """
                    UPDATE runs SET status = 'PENDING', current_step_id = ?1, flow_mode = 'main', attempt = 1, steps_executed = 0,
                        result = NULL, error = NULL, due_at = ?2, claimed_by = NULL, finished_at = NULL, deadline_at = NULL,
                        timeout_alerted_at = NULL, updated_at = ?2
                    WHERE tenant_id = ?3 AND id = ?4
                    """,
                arguments: [stepId, now, tenantId, id])
            return try Self.fetchRun(db, tenantId: tenantId, id: id)
        }
        if run != nil {
            signals.runChanges.notify(id)
            signals.workAvailable.signal()
        }
        return run
    }
}
