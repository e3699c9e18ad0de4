import CaseworkerCore
import CaseworkerStore
import Foundation
import GRDB

/// Child runs (`workflow.run`): created in the transaction that suspends the parent's step, and
/// linked to the parent's task when that step ends.
extension SQLiteStore {
    /// Inserts the child run of `parent`'s current `workflow.run` step, inside `finishSteps`'s
    /// transaction, and returns its id. The parent becomes `WAITING` for it in the same
    /// transaction (`RunWait.childRunId`), so a crash leaves both or neither.
    func insertChildRun(_ db: Database, _ child: NewRun, parent: Run, now: Int64) throws -> String {
        var child = child
        child.parentRunId = parent.id
        child.depth = parent.depth + 1
        let id = newId()
        try Self.insertRun(db, child, id: id, now: now)
        db.afterNextTransaction { _ in self.signals.runChanges.notify(id) }
        return id
    }

    /// Records which child run a finished `workflow.run` task waited for (`tasksHierarchy`).
    static func linkChildTask(_ db: Database, _ task: RunTask?) throws {
        guard let task, let child = task.childRunId else { return }
        try db.execute(cached: "UPDATE run_tasks SET child_run_id = ? WHERE id = ?", arguments: [child, task.id])
    }
}

extension RunWait {
    /// The reserved `wait_signal` of a child wait: the v5 schema requires a signal name or a time
    /// on every wait, and `@` is not allowed in a signal sent through the API.
    static let childSignal = "@child"

    /// What `wait_signal` stores for this wait.
    var storedSignal: String? { childRunId != nil ? Self.childSignal : signal }
}
