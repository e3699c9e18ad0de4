import CaseworkerCore
import CaseworkerStore
import Foundation
import PostgresNIO

extension PostgresStore: MaintenanceStore {
    /// The SQLite store's purge (`SQLiteStore.purge`), for a database several instances write at
    /// once: each batch of at most `batchSize` rows is one short transaction that first locks its
    /// candidates with `FOR UPDATE SKIP LOCKED` (a row another transaction holds, a run being
    /// retried, an event being redelivered, is skipped, never waited for: a later purge takes it),
    /// then deletes them in statements whose fresh snapshot (READ COMMITTED) sees every change
    /// committed before the locks were taken. An event's deliveries are checked again in the
    /// delete, so a delivery queued for it just before the lock keeps it.
    ///
    /// Candidates are read in id order up to the cutoff's lowest id, as in SQLite (ids are ULIDs
    /// of their creation time), so a purge costs what it deletes plus the old runs still active.
    public func purge(runsFinishedBefore runsBefore: Date?, eventsBefore: Date?) async throws -> PurgeCounts {
        var counts = PurgeCounts(runs: 0, events: 0)
        if let runsBefore {
            let cutoff = Timestamp.millis(runsBefore)
            let idBound = ULIDGenerator.lowerBound(at: runsBefore)
            while true {
                let deleted = try await write("purgeRuns") { transaction -> Int in
                    // A branch run stays while its parent waits: the parent's join reads it, and its
                    // wait names the group's first branch run.
                    let ids = try await transaction.rows(
                        """
                        SELECT id FROM runs WHERE id < \(idBound) AND finished_at IS NOT NULL AND finished_at < \(cutoff)
                            AND (branch_group IS NULL OR NOT EXISTS (
                                SELECT 1 FROM runs parent WHERE parent.id = runs.parent_run_id AND parent.finished_at IS NULL))
                        ORDER BY id LIMIT \(Self.purgeBatchSize)
                        FOR UPDATE SKIP LOCKED
                        """
                    ).map { try $0[0].decode(String.self) }
                    guard !ids.isEmpty else { return 0 }
                    try await transaction.execute("DELETE FROM run_tasks WHERE run_id = ANY(\(ids))")
                    try await transaction.execute("DELETE FROM run_signals WHERE run_id = ANY(\(ids))")
                    try await transaction.execute("DELETE FROM runs WHERE id = ANY(\(ids))")
                    return ids.count
                }
                counts.runs += deleted
                if deleted == 0 { break }
            }
        }
        if let eventsBefore {
            let cutoff = Timestamp.millis(eventsBefore)
            let idBound = "msg_" + ULIDGenerator.lowerBound(at: eventsBefore)
            while true {
                let (selected, deleted) = try await write("purgeEvents") { transaction -> (Int, Int) in
                    let ids = try await transaction.rows(
                        """
                        SELECT id FROM webhook_events e WHERE e.id < \(idBound) AND e.created_at < \(cutoff)
                            AND NOT EXISTS (\(unescaped: Self.activeDeliveries))
                        ORDER BY id LIMIT \(Self.purgeBatchSize)
                        FOR UPDATE SKIP LOCKED
                        """
                    ).map { try $0[0].decode(String.self) }
                    guard !ids.isEmpty else { return (0, 0) }
                    // Deliveries and their attempts go with the event (ON DELETE CASCADE).
                    let deleted = try await transaction.rows(
                        "DELETE FROM webhook_events e WHERE e.id = ANY(\(ids)) AND NOT EXISTS (\(unescaped: Self.activeDeliveries)) RETURNING id")
                    return (ids.count, deleted.count)
                }
                counts.events += deleted
                if selected == 0 { break }
            }
        }
        // Expired idempotency records go with every purge (they are useless once expired).
        let now = nowMillis
        while true {
            let deleted = try await write("purgeIdempotencyKeys") { transaction in
                try await transaction.rows(
                    """
                    DELETE FROM idempotency_keys WHERE (tenant_id, key) IN (
                        SELECT tenant_id, key FROM idempotency_keys WHERE expires_at < \(now)
                        LIMIT \(Self.purgeBatchSize) FOR UPDATE SKIP LOCKED)
                    RETURNING 1
                    """
                ).count
            }
            if deleted == 0 { break }
        }
        return counts
    }

    /// Rows one purge transaction deletes at most (of each table): its locks are held for
    /// milliseconds.
    static let purgeBatchSize = 500

    /// An event `e`'s deliveries still to be sent (the event is kept while there is one).
    private static let activeDeliveries = """
        SELECT 1 FROM webhook_deliveries d WHERE d.tenant_id = e.tenant_id AND d.event_id = e.id
            AND d.status IN ('PENDING', 'DELIVERING')
        """

    /// One conditional upsert of the lease row (`maintenance_leases`): PostgreSQL locks the row
    /// it conflicts with and evaluates the `WHERE` on its latest version, so of instances racing
    /// for a free or expired lease exactly one gets it, and a held lease is never taken.
    public func takeMaintenanceLease(name: String, owner: String, now: Date, until: Date) async throws -> Bool {
        try await write("takeMaintenanceLease") { transaction in
            try await transaction.row(
                """
                INSERT INTO maintenance_leases (name, owner, expires_at) VALUES (\(name), \(owner), \(Timestamp.millis(until)))
                ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
                    WHERE maintenance_leases.expires_at < \(Timestamp.millis(now)) OR maintenance_leases.owner = EXCLUDED.owner
                RETURNING owner
                """) != nil
        }
    }

    public func releaseMaintenanceLease(name: String, owner: String) async throws {
        try await write("releaseMaintenanceLease") { transaction in
            try await transaction.execute("DELETE FROM maintenance_leases WHERE name = \(name) AND owner = \(owner)")
        }
    }
}
