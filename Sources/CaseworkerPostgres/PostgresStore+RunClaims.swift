import CaseworkerCore
import CaseworkerStore
import Foundation
import PostgresNIO

/// The engines' claims on runs, shared by every instance on the database. A claim is a lease
/// (`claimed_by`, `claim_expires_at`) that its engine renews while it runs; an instance that
/// dies stops renewing, and once its claims expire any other instance's next claim takes them
/// over (its own claims an engine never takes over: they are live while it runs).
extension PostgresStore {
    /// Releases nothing: the store is shared by processes, and a claim held at another
    /// instance's start-up may be live (a dead instance's claims expire and are taken over).
    public func releaseClaimsAtStartup() async throws -> Int { 0 }

    /// One `UPDATE` takes the runs, picked by three row-locking reads (`FOR UPDATE SKIP LOCKED`),
    /// so that instances claiming at the same moment take different runs and none waits for
    /// another: due runs free to start (through `runs_due_unqueued`), runs whose claim expired
    /// (through `runs_claim_expiry`), and the queued rate-limited runs their keys admit
    /// (`admissibleQueuedRuns`, under the admission lock). Each read re-checks a row it locks as
    /// committed meanwhile, so a run another instance claimed first is passed over. Rows a read
    /// locked beyond the `limit` chosen stay locked (and passed over by other instances) only
    /// until this commits.
    public func claimDueRuns(owner: String, limit: Int, now: Date, leaseUntil: Date) async throws -> [Run] {
        guard limit > 0 else { return [] }
        let nowMillis = Timestamp.millis(now)
        let leaseUntil = Timestamp.millis(leaseUntil)
        let claimed = try await write("claimDueRuns") { tx -> [Run] in
            let admitted =
                try await Self.lockAdmissionIfQueued(in: tx)
                ? Self.admissibleQueuedRuns(in: tx).filter { $0.dueAt <= nowMillis }.map(\.id) : []
            let claimed = try await tx.rows(
                """
                WITH due AS (
                    SELECT id, due_at AS at FROM runs
                    WHERE \(unescaped: Self.dueUnqueued) AND due_at <= \(nowMillis) AND status IN ('PENDING', 'RUNNING', 'WAITING')
                    ORDER BY due_at, id LIMIT \(limit) FOR UPDATE SKIP LOCKED
                ), expired AS (
                    SELECT id, COALESCE(due_at, claim_expires_at) AS at FROM runs
                    WHERE claimed_by IS NOT NULL AND claim_expires_at <= \(nowMillis) AND claimed_by <> \(owner) AND finished_at IS NULL
                    ORDER BY claim_expires_at LIMIT \(limit) FOR UPDATE SKIP LOCKED
                ), admitted AS (
                    SELECT id, due_at AS at FROM runs
                    WHERE id = ANY(\(admitted)) AND \(unescaped: Self.queuedRun) AND claimed_by IS NULL AND due_at <= \(nowMillis)
                    FOR UPDATE SKIP LOCKED
                ), chosen AS (
                    SELECT id FROM (SELECT * FROM due UNION ALL SELECT * FROM expired UNION ALL SELECT * FROM admitted) AS claimable
                    ORDER BY at, id LIMIT \(limit)
                )
                UPDATE runs SET claimed_by = \(owner), claim_expires_at = \(leaseUntil),
                    status = CASE WHEN status IN ('PENDING', 'WAITING') THEN 'RUNNING' ELSE status END,
                    started_at = COALESCE(started_at, \(nowMillis)), updated_at = \(nowMillis),
                    deadline_at = CASE WHEN status = 'PENDING' AND timeout_ms IS NOT NULL THEN \(nowMillis) + timeout_ms ELSE deadline_at END
                FROM chosen WHERE runs.id = chosen.id
                RETURNING runs.*
                """
            ).map { try Run.reading($0) }
            for run in claimed { tx.announce(.runChanged(run.id)) }
            return claimed
        }
        return claimed.sorted { ($0.dueAt ?? .distantPast, $0.id) < ($1.dueAt ?? .distantPast, $1.id) }
    }

    public func renewClaims(owner: String, runIds: [String], until: Date) async throws -> Int {
        try await write("renewClaims") { tx in
            try await tx.rows(
                "UPDATE runs SET claim_expires_at = \(Timestamp.millis(until)) WHERE claimed_by = \(owner) AND id = ANY(\(runIds)) RETURNING id"
            ).count
        }
    }

    public func nextDueDate() async throws -> Date? {
        try await snapshot { tx in
            let row = try await tx.row(
                """
                SELECT (SELECT MIN(due_at) FROM runs WHERE \(unescaped: Self.dueUnqueued)) AS due,
                    (SELECT MIN(claim_expires_at) FROM runs WHERE claimed_by IS NOT NULL) AS expiry,
                    (\(unescaped: Self.nextDeadline)) AS deadline
                """)
            let queued = try await Self.admissibleQueuedRuns(in: tx).map(\.dueAt).min()
            let due = try row?["due"].decode(Int64?.self)
            let expiry = try row?["expiry"].decode(Int64?.self)
            let deadline = try row?["deadline"].decode(Int64?.self)
            return [due, expiry, queued, deadline].compactMap { $0 }.min().map(Timestamp.date(millis:))
        }
    }

    public func releaseClaim(runId: String, owner: String) async throws {
        try await write("releaseClaim") { tx in
            try await tx.execute(
                "UPDATE runs SET claimed_by = NULL, claim_expires_at = NULL WHERE id = \(runId) AND claimed_by = \(owner)")
            tx.announce(.workAvailable)
        }
    }
}
