import CaseworkerCore
import CaseworkerStore
import Foundation
import GRDB

/// Cancel and signals (issue #5): the API's ways of moving an active run from outside the engine.
extension SQLiteStore {
    public func cancelRun(tenantId: String, id: String) async throws -> Run? {
        let now = nowMillis
        let run = try await write("cancelRun") { db -> Run? in
            guard let run = try Self.fetchRun(db, tenantId: tenantId, id: id) else { return nil }
            guard !run.status.isTerminal else { throw StoreError.conflict("run \(id) is \(run.status.rawValue)") }
            let stepId = run.currentStepId
            let error = RunError(
                code: "cancelled", message: "cancelled by the API while \(stepId.map { "at step \($0)" } ?? "pending")",
                stepId: stepId)
            // Clearing the claim is what abandons a step in flight (endRun); active child runs are
            // cancelled with it (runEnded).
            let cancelled = try self.endRun(db, run, status: .cancelled, error: error, now: now)
            return cancelled
        }
        if run != nil {
            signals.runChanges.notify(id)
            signals.workAvailable.signal()
        }
        return run
    }

    public func signalRun(tenantId: String, id: String, name: String, payload: JSONValue) async throws -> SignalReceipt? {
        let now = nowMillis
        let signalId = newId()
        let receipt = try await write("signalRun") { db -> SignalReceipt? in
            guard let run = try Self.fetchRun(db, tenantId: tenantId, id: id) else { return nil }
            guard !run.status.isTerminal else { throw StoreError.conflict("run \(id) is \(run.status.rawValue)") }
            // Delivered at once only to a run WAITING for this name that has no signal yet (not
            // one the engine has already claimed to time it out: that one keeps the signal).
            let deliver = run.status == .waiting && run.wait?.signal == name && run.wait?.payload == nil
            try db.execute(
                cached: """
                    INSERT INTO run_signals (id, tenant_id, run_id, name, payload, created_at, consumed_at, consumed_by_step)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    signalId, tenantId, id, name, JSONText.encode(payload), now, deliver ? now : nil,
                    deliver ? run.currentStepId : nil,
                ])
            if deliver {
                try db.execute(
                    cached: "UPDATE runs SET wait_payload = ?, due_at = ?, updated_at = ? WHERE tenant_id = ? AND id = ? AND claimed_by IS NULL",
                    arguments: [JSONText.encode(payload), now, now, tenantId, id])
            }
            return SignalReceipt(runId: id, signal: name, consumed: deliver)
        }
        if receipt?.consumed == true {
            signals.runChanges.notify(id)
            signals.workAvailable.signal()
        }
        return receipt
    }
}
