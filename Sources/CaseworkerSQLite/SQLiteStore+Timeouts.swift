import CaseworkerCore
import CaseworkerStore
import Foundation
import GRDB

/// Workflow timeouts (SPEC 2.7): a run with `timeoutSeconds` gets `deadline_at` when the engine
/// starts it (the claim out of `PENDING`, `RunLifecycle.claimed`); the engine reads due deadlines
/// with `dueTimeouts`, also those that passed while the daemon was down, and applies
/// `RunLifecycle.timeoutDue`.
extension SQLiteStore {
    /// The claim's assignment that sets the deadline of a run leaving `PENDING` (`?2` is now).
    static let deadlineOnStart = """
        deadline_at = CASE WHEN status = 'PENDING' AND timeout_ms IS NOT NULL THEN ?2 + timeout_ms ELSE deadline_at END
        """

    /// The earliest deadline of an active run, in Unix milliseconds.
    static func nextDeadline(_ db: Database) throws -> Int64? {
        try Int64.fetchOne(db, cached: "SELECT MIN(deadline_at) FROM runs WHERE deadline_at IS NOT NULL AND finished_at IS NULL")
    }
}
