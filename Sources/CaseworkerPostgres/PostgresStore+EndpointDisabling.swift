import CaseworkerStore
import PostgresNIO

extension PostgresStore {
    /// Disables the endpoint (with `reason`, `nil` for an operator's doing) and fails its
    /// `PENDING` deliveries, noting why in their `last_error`; inside the caller's transaction.
    ///
    /// The endpoint's row is updated first and stays locked until the commit, so a run transaction
    /// inserting a delivery for it (`insertEvent`, which reads subscribed endpoints `FOR SHARE`)
    /// either committed before, and its delivery is failed here, or reads it disabled afterwards.
    static func disableEndpoint(in transaction: PostgresTransaction, tenantId: String, id: String, reason: String?, now: Int64)
        async throws
    {
        try await transaction.execute(
            """
            UPDATE webhook_endpoints SET enabled = FALSE, disabled_reason = \(reason), updated_at = \(now)
            WHERE tenant_id = \(tenantId) AND id = \(id)
            """)
        let note = "endpoint disabled" + (reason.map { ": \($0)" } ?? "")
        try await transaction.execute(
            """
            UPDATE webhook_deliveries SET status = 'FAILED', next_attempt_at = NULL, updated_at = \(now),
                last_error = COALESCE(last_error || '; ', '') || \(note)
            WHERE tenant_id = \(tenantId) AND endpoint_id = \(id) AND status = 'PENDING'
            """)
    }
}
