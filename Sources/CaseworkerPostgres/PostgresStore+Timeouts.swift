import CaseworkerCore
import CaseworkerStore
import Foundation
import PostgresNIO

/// Workflow timeouts (SPEC 2.7): a run with `timeoutSeconds` gets `deadline_at` when the engine
/// starts it (the claim out of `PENDING`, `RunLifecycle.claimed`, in `claimDueRuns`); the engine
/// reads due deadlines with `dueTimeouts`, also those that passed while no instance ran, and
/// applies `RunLifecycle.timeoutDue` through `changeRun` (which locks the run: two instances
/// applying the same timeout apply it once, the second finding the run ended).
extension PostgresStore {
    /// The earliest deadline of an active run (Unix milliseconds), as a scalar subquery.
    static let nextDeadline = "SELECT MIN(deadline_at) FROM runs WHERE deadline_at IS NOT NULL AND finished_at IS NULL"

    public func dueTimeouts(now: Date, limit: Int) async throws -> [Run] {
        try await rows(
            """
            SELECT * FROM runs WHERE deadline_at <= \(Timestamp.millis(now)) AND finished_at IS NULL
            ORDER BY deadline_at, id LIMIT \(limit)
            """
        ).map { try Run.reading($0) }
    }
}
