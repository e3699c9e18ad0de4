import CaseworkerCore
import CaseworkerStore
import Foundation
import GRDB

extension SQLiteStore: RunStore {
    public func startRun(_ new: NewRun) async throws -> Run {
        let now = nowMillis
        try await write("startRun") { db in
            // Checked in the insert's transaction: an erasure committed since the API read the
            // case refuses the run.
            let erased = try Int64.fetchOne(
                db, cached: "SELECT erased_at FROM cases WHERE tenant_id = ? AND id = ?", arguments: [new.tenantId, new.caseId])
            guard erased == nil else { throw StoreError.conflict("case \(new.caseId) is erased") }
            try Self.insertRun(db, new, now: now)
        }
        signals.workAvailable.signal()
        return Run(inserted: new, now: now)
    }

    public func findRun(tenantId: String, id: String) async throws -> Run? {
        try await readStatement { db in try Self.fetchRun(db, tenantId: tenantId, id: id) }
    }

    public func listRuns(tenantId: String, filter: RunFilter, page: PageRequest) async throws -> Page<Run> {
        // Read through `runs_case` or `runs_tenant_status` when those filters are given.
        var conditions = ListConditions()
        conditions.add("tenant_id = ?", tenantId)
        conditions.add("status = ?", filter.status?.rawValue)
        conditions.add("case_id = ?", filter.caseId)
        conditions.add("workflow_definition_id = ?", filter.workflowDefinitionId)
        conditions.add("created_at > ?", filter.createdAfter.map(Timestamp.millis))
        conditions.add("created_at < ?", filter.createdBefore.map(Timestamp.millis))
        conditions.add("correlation_id = ?", filter.correlationId)
        conditions.add("id < ?", page.beforeId)
        // Branch runs are listed under their parent only (`branchRuns`).
        conditions.add(literal: "branch_group IS NULL")
        let sql = "SELECT * FROM runs \(conditions.sql) ORDER BY id DESC LIMIT ?"
        let arguments = StatementArguments(conditions.values + [(page.limit + 1).databaseValue])
        return try await pool.read { db in
            let rows = try Row.fetchAll(db, cached: sql, arguments: arguments)
            return Page(items: rows.prefix(page.limit).map(Run.reading), hasMore: rows.count > page.limit)
        }
    }

    public func runExecution(tenantId: String, runId: String) async throws -> (run: Run, tasks: [RunTask])? {
        try await pool.read { db in
            guard let run = try Self.fetchRun(db, tenantId: tenantId, id: runId) else { return nil }
            let tasks = try Row.fetchAll(
                db, cached: "SELECT * FROM run_tasks WHERE run_id = ? ORDER BY id", arguments: [runId]
            ).map(RunTask.init(stored:))
            return (run, tasks)
        }
    }

    public func branchExecutions(tenantId: String, runId: String) async throws -> [(run: Run, tasks: [RunTask])] {
        try await pool.read { db in
            var found: [(run: Run, tasks: [RunTask])] = []
            var parents = [runId]
            while let parent = parents.popLast(), found.count < Self.maxBranchRunsRead {
                let branches = try Row.fetchAll(
                    db, cached: "SELECT * FROM runs WHERE tenant_id = ? AND parent_run_id = ? AND branch_group IS NOT NULL ORDER BY id",
                    arguments: [tenantId, parent]
                ).map(Run.reading)
                for branch in branches {
                    let tasks = try Row.fetchAll(
                        db, cached: "SELECT * FROM run_tasks WHERE run_id = ? ORDER BY id", arguments: [branch.id]
                    ).map(RunTask.init(stored:))
                    found.append((branch, tasks))
                    parents.append(branch.id)
                }
            }
            return found.sorted { $0.run.id < $1.run.id }
        }
    }

    public func branchRuns(tenantId: String, parentRunId: String, group: String?) async throws -> [Run] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                cached: """
                    SELECT * FROM runs WHERE tenant_id = ?1 AND parent_run_id = ?2 AND branch_group IS NOT NULL
                        AND (?3 IS NULL OR branch_group = ?3) ORDER BY id
                    """,
                arguments: [tenantId, parentRunId, group]
            ).map(Run.reading)
        }
    }

    /// The most branch runs `branchExecutions` reads.
    static let maxBranchRunsRead = 2000

    public func definitionContent(versionId: String) async throws -> JSONValue? {
        try await pool.read { db in
            try String.fetchOne(db, cached: "SELECT content FROM workflow_definition_versions WHERE version_id = ?", arguments: [versionId])
                .map(JSONText.decode)
        }
    }

    public func changeRun(
        tenantId: String?, id: String, _ decide: @escaping @Sendable (Run, LifecycleContext) throws(RunConflict) -> RunChange?
    ) async throws -> (run: Run, change: RunChange?)? {
        let context = lifecycleContext()
        return try await write("changeRun") { db -> (run: Run, change: RunChange?)? in
            let row = try Row.fetchOne(
                db, cached: "SELECT * FROM runs WHERE id = ?1 AND (?2 IS NULL OR tenant_id = ?2)", arguments: [id, tenantId])
            guard let row else { return nil }
            let run = Run.reading(row)
            let change: RunChange?
            do {
                change = try decide(run, context)
            } catch let conflict as RunConflict {
                throw StoreError.conflict(conflict.description)
            }
            guard let change else { return (run, nil) }
            return (try SQLiteRunTransaction(store: self, db: db).apply(change, context: context), change)
        }
    }

    public func releaseClaimsAtStartup() async throws -> Int {
        // One process per SQLite file: every claim at start-up is a dead process's.
        let released = try await write("releaseClaimsAtStartup") { db in
            try db.execute(cached: "UPDATE runs SET claimed_by = NULL, claim_expires_at = NULL WHERE claimed_by IS NOT NULL")
            return db.changesCount
        }
        if released > 0 { signals.workAvailable.signal() }
        return released
    }

    public func claimDueRuns(owner: String, limit: Int, now: Date, leaseUntil: Date) async throws -> [Run] {
        guard limit > 0 else { return [] }
        let nowMillis = Timestamp.millis(now)
        let claimed = try await write("claimDueRuns") { db -> [Run] in
            // Claimable runs in due order (then id): unclaimed due runs free to start, the queued
            // rate-limited runs their keys admit (`admissibleQueuedRuns`), and runs whose claim
            // expired (its engine died; an engine never takes over its own claims, which are
            // live while it runs).
            var due = try Row.fetchAll(
                db,
                cached: """
                    SELECT id, due_at FROM runs WHERE \(Self.dueUnqueued) AND due_at <= ? AND status IN ('PENDING', 'RUNNING', 'WAITING')
                    ORDER BY due_at, id LIMIT ?
                    """,
                arguments: [nowMillis, limit]
            ).map { (id: $0[0] as String, dueAt: $0[1] as Int64) }
            due += try Row.fetchAll(
                db,
                cached: """
                    SELECT id, COALESCE(due_at, claim_expires_at) FROM runs
                    WHERE claimed_by IS NOT NULL AND claim_expires_at <= ? AND claimed_by <> ? AND finished_at IS NULL
                    ORDER BY claim_expires_at LIMIT ?
                    """,
                arguments: [nowMillis, owner, limit]
            ).map { (id: $0[0] as String, dueAt: $0[1] as Int64) }
            due += try Self.admissibleQueuedRuns(db).filter { $0.dueAt <= nowMillis }
            let ids = due.sorted { ($0.dueAt, $0.id) < ($1.dueAt, $1.id) }.prefix(limit).map { JSONValue.string($0.id) }
            guard !ids.isEmpty else { return [] }
            // `RunLifecycle.claimed`, for all of them in one statement.
            return try Row.fetchAll(
                db,
                cached: """
                    UPDATE runs SET claimed_by = ?1, claim_expires_at = ?4,
                        status = CASE WHEN status IN ('PENDING', 'WAITING') THEN 'RUNNING' ELSE status END,
                        started_at = COALESCE(started_at, ?2), updated_at = ?2, \(Self.deadlineOnStart)
                    WHERE id IN (SELECT value FROM json_each(?3))
                    RETURNING *
                    """,
                arguments: [owner, nowMillis, JSONText.encode(.array(Array(ids))), Timestamp.millis(leaseUntil)]
            ).map(Run.reading)
        }
        for run in claimed { signals.runChanges.notify(run.id) }
        return claimed.sorted { ($0.dueAt ?? .distantPast, $0.id) < ($1.dueAt ?? .distantPast, $1.id) }
    }

    public func renewClaims(owner: String, runIds: [String], until: Date) async throws -> Int {
        try await write("renewClaims") { db in
            try db.execute(
                cached: "UPDATE runs SET claim_expires_at = ? WHERE claimed_by = ? AND id IN (SELECT value FROM json_each(?))",
                arguments: [Timestamp.millis(until), owner, JSONText.encode(.array(runIds.map(JSONValue.string)))])
            return db.changesCount
        }
    }

    public func nextDueDate() async throws -> Date? {
        try await pool.read { db in
            let due = try Int64.fetchOne(db, cached: "SELECT MIN(due_at) FROM runs WHERE \(Self.dueUnqueued)")
            let expiry = try Int64.fetchOne(db, cached: "SELECT MIN(claim_expires_at) FROM runs WHERE claimed_by IS NOT NULL")
            let queued = try Self.admissibleQueuedRuns(db).map(\.dueAt).min()
            let deadline = try Self.nextDeadline(db)
            return [due, expiry, queued, deadline].compactMap { $0 }.min().map(Timestamp.date(millis:))
        }
    }

    public func commit(_ change: RunChange, owner: String, context: LifecycleContext) async throws -> Run {
        let encoded = EncodedRunChange(change)
        return try await write("commitRun") { db in
            try SQLiteRunTransaction(store: self, db: db, encoded: encoded).apply(change, claimedBy: owner, context: context)
        }
    }

    public func releaseClaim(runId: String, owner: String) async throws {
        try await write("releaseClaim") { db in
            try db.execute(
                cached: "UPDATE runs SET claimed_by = NULL, claim_expires_at = NULL WHERE id = ? AND claimed_by = ?",
                arguments: [runId, owner])
        }
        signals.workAvailable.signal()
    }

    public func dueTimeouts(now: Date, limit: Int) async throws -> [Run] {
        try await readStatement { db in
            try Row.fetchAll(
                db, cached: "SELECT * FROM runs WHERE deadline_at <= ? AND finished_at IS NULL ORDER BY deadline_at, id LIMIT ?",
                arguments: [Timestamp.millis(now), limit]
            ).map(Run.reading)
        }
    }

    /// The time and ids of the changes this store decides itself (`changeRun`).
    func lifecycleContext() -> LifecycleContext {
        let ids = self.ids
        let clock = self.clock
        return LifecycleContext(now: clock.now, newId: { ids.next(at: clock.now) })
    }

    static func fetchRun(_ db: Database, tenantId: String, id: String) throws -> Run? {
        try Row.fetchOne(db, cached: "SELECT * FROM runs WHERE tenant_id = ? AND id = ?", arguments: [tenantId, id]).map(Run.reading)
    }
}
