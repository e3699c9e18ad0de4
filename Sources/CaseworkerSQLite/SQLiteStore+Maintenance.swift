import CaseworkerCore
import CaseworkerStore
import Foundation
import GRDB

extension SQLiteStore: MaintenanceStore {
    /// Copies the database to `path` while it is in use (SQLite's online backup API reads one
    /// consistent snapshot; writers are not blocked for long), then checks the copy with
    /// `PRAGMA integrity_check`. `path` must not exist yet.
    public func backup(to path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else { throw MaintenanceError("\(path) exists; choose a new file") }
        let destination = try DatabaseQueue(path: path)
        try pool.backup(to: destination)
        let check = try destination.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        try destination.close()
        guard check == ["ok"] else { throw MaintenanceError("the backup failed its integrity check: \(check.joined(separator: "; "))") }
    }

    /// Deletes finished runs (with their timeline) that finished before `runsBefore`, and webhook
    /// events older than `eventsBefore` whose deliveries have all ended (succeeded or failed),
    /// with their deliveries and attempts. Active runs and pending deliveries are never touched.
    /// Deletes in batches so that concurrent writers are not held up for long.
    ///
    /// Each batch reads ids in creation order up to the cutoff (ids are ULIDs of their creation
    /// time, and a run finishes, an event is written, no earlier than its id was made), so a purge
    /// costs what it deletes plus the old runs still active, not the size of the tables: the
    /// last, empty batch scanned every run and event (0.07 s for 200,000 runs here, in the
    /// writer; docs/PERFORMANCE.md). A run created while the clock stood behind an earlier id
    /// (the generator keeps ids in order) is purged by a later purge.
    public func purge(runsFinishedBefore runsBefore: Date?, eventsBefore: Date?) async throws -> PurgeCounts {
        var counts = PurgeCounts(runs: 0, events: 0)
        if let runsBefore {
            let cutoff = Timestamp.millis(runsBefore)
            let idBound = ULIDGenerator.lowerBound(at: runsBefore)
            while true {
                let deleted = try await write("purgeRuns") { db -> Int in
                    // A branch run stays while its parent waits: the parent's join reads it, and its
                    // wait names the group's first branch run.
                    let ids = try String.fetchAll(
                        db,
                        sql: """
                            SELECT id FROM runs WHERE id < ? AND finished_at IS NOT NULL AND finished_at < ?
                                AND (branch_group IS NULL OR NOT EXISTS (
                                    SELECT 1 FROM runs parent WHERE parent.id = runs.parent_run_id AND parent.finished_at IS NULL))
                            LIMIT 500
                            """,
                        arguments: [idBound, cutoff])
                    guard !ids.isEmpty else { return 0 }
                    let list = databaseQuestionMarks(count: ids.count)
                    try db.execute(sql: "DELETE FROM run_tasks WHERE run_id IN (\(list))", arguments: StatementArguments(ids))
                    try db.execute(sql: "DELETE FROM run_signals WHERE run_id IN (\(list))", arguments: StatementArguments(ids))
                    try db.execute(sql: "DELETE FROM runs WHERE id IN (\(list))", arguments: StatementArguments(ids))
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
                let deleted = try await write("purgeEvents") { db -> Int in
                    try db.execute(
                        sql: """
                            DELETE FROM webhook_events WHERE rowid IN (
                                SELECT rowid FROM webhook_events e WHERE e.id < ? AND e.created_at < ?
                                AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d
                                                WHERE d.tenant_id = e.tenant_id AND d.event_id = e.id
                                                AND d.status IN ('PENDING', 'DELIVERING'))
                                LIMIT 500)
                            """,
                        arguments: [idBound, cutoff])
                    return db.changesCount
                }
                counts.events += deleted
                if deleted == 0 { break }
            }
        }
        // Expired idempotency records go with every purge (they are useless once expired).
        let now = nowMillis
        _ = try await write("purgeIdempotencyKeys") { db in
            try db.execute(sql: "DELETE FROM idempotency_keys WHERE expires_at < ?", arguments: [now])
        }
        return counts
    }

    /// Always held: one process owns the SQLite file, so its maintenance never runs twice.
    public func takeMaintenanceLease(name: String, owner: String, now: Date, until: Date) async throws -> Bool { true }

    public func releaseMaintenanceLease(name: String, owner: String) async throws {}
}

public struct MaintenanceError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
