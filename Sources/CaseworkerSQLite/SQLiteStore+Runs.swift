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
            ).map(RunTask.init(row:))
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
                    ).map(RunTask.init(row:))
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

    public func renewClaims(owner: String, until: Date) async throws -> Int {
        try await write("renewClaims") { db in
            try db.execute(
                cached: "UPDATE runs SET claim_expires_at = ? WHERE claimed_by = ?", arguments: [Timestamp.millis(until), owner])
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

extension Run {
    /// The run of `row`. A JSON column that cannot be read (a damaged file, or a value stored
    /// before the value limits) reads as `null` (or empty) and is named in `unreadableColumns`,
    /// with `error` `corrupt_state`: reads show it, and the engine ends it
    /// (`RunLifecycle.unreadable`), so one unreadable row never fails a read or a claim of others.
    static func reading(_ row: Row) -> Run {
        if let run = try? Run(row: row, json: { try JSONText.decode($0) }) { return run }
        var run = Run(row: row) { (try? JSONText.decode($0)) ?? .null }
        run.unreadableColumns = ["input", "params", "state", "step_results", "result", "error", "wait_payload"].filter { column in
            guard let text = row[column] as String? else { return false }
            return (try? JSONText.decode(text)) == nil
        }
        run.error = RunError(
            code: "corrupt_state", message: "the stored run cannot be read (\(run.unreadableColumns.joined(separator: ", ")))",
            stepId: run.currentStepId)
        return run
    }

    init(row: Row) throws {
        try self.init(row: row) { try JSONText.decode($0) }
    }

    /// The run of `row`, its JSON columns read with `json`.
    private init(row: Row, json decode: (String) throws -> JSONValue) rethrows {
        func json(_ column: String) throws -> JSONValue { try decode(row[column] as String) }
        self.init(
            id: row["id"], tenantId: row["tenant_id"], caseId: row["case_id"], workflowDefinitionId: row["workflow_definition_id"],
            version: row["version"], versionId: row["version_id"], parametersId: row["parameters_id"],
            status: RunStatus(rawValue: row["status"]) ?? .failed, currentStepId: row["current_step_id"],
            flowMode: FlowMode(text: row["flow_mode"]) ?? .main, attempt: row["attempt"], stepsExecuted: row["steps_executed"],
            input: try json("input"), params: try json("params").objectValue ?? [:], state: try json("state").objectValue ?? [:],
            stepResults: try json("step_results").objectValue ?? [:], correlationId: row["correlation_id"], channel: row["channel"],
            result: try (row["result"] as String?).map(decode),
            error: try (row["error"] as String?).map(decode).flatMap(RunError.init(json:)),
            dueAt: (row["due_at"] as Int64?).map(Timestamp.date(millis:)), createdAt: Timestamp.date(millis: row["created_at"]),
            startedAt: (row["started_at"] as Int64?).map(Timestamp.date(millis:)),
            finishedAt: (row["finished_at"] as Int64?).map(Timestamp.date(millis:)),
            wait: try (row["waiting_since"] as Int64?).map { since in
                let child: String? = row["wait_child_run_id"]
                let stored: String? = row["wait_signal"]
                let taskQueue = stored.flatMap { $0.hasPrefix(RunWait.taskSignalPrefix) ? String($0.dropFirst(RunWait.taskSignalPrefix.count)) : nil }
                return RunWait(
                    signal: child == nil && taskQueue == nil ? stored : nil,
                    until: (row["wait_until"] as Int64?).map(Timestamp.date(millis:)),
                    since: Timestamp.date(millis: since), payload: try (row["wait_payload"] as String?).map(decode),
                    childRunId: child, taskQueue: taskQueue)
            },
            parentRunId: row["parent_run_id"], depth: row["depth"], failureOfRunId: row["failure_of_run_id"],
            rateLimit: (row["rate_key"] as String?).map { RunRateLimit(key: $0, limit: row["rate_limit"]) },
            timeout: (row["timeout_ms"] as Int64?).map {
                RunTimeout(
                    seconds: Double($0) / 1000,
                    policy: WorkflowDefinition.TimeoutPolicy(rawValue: row["timeout_policy"] ?? "") ?? .timeOutWorkflow)
            },
            deadlineAt: (row["deadline_at"] as Int64?).map(Timestamp.date(millis:)),
            timeoutAlertedAt: (row["timeout_alerted_at"] as Int64?).map(Timestamp.date(millis:)),
            claim: (row["claimed_by"] as String?).map {
                RunClaim(owner: $0, expiresAt: Timestamp.date(millis: row["claim_expires_at"] ?? 0))
            },
            executorFailures: row["executor_failures"],
            branch: (row["branch_group"] as String?).map { group in
                RunBranch(
                    stepId: row["branch_step_id"] ?? "", branchId: row["branch_id"] ?? "", group: group,
                    join: ParallelJoin(rawValue: row["branch_join"] ?? "") ?? .allFailFast)
            })
    }
}

extension RunTask {
    /// The task of `row`. A `parameters` or `output` that cannot be read (see `Run.reading`)
    /// reads as `null`, and `error` says so.
    init(row: Row) {
        let parameters = try? JSONText.decode(row["parameters"] as String)
        let output = try? JSONText.decode(row["output"] as String)
        let error: String? = row["error"]
        let unreadable = [parameters == nil ? "parameters" : nil, output == nil ? "output" : nil].compactMap { $0 }
        self.init(
            id: row["id"], runId: row["run_id"], stepId: row["step_id"], name: row["name"], action: row["action"],
            attempt: row["attempt"], outcome: StepOutcome(StepOutcome.Status(rawValue: row["status"]) ?? .ko, code: row["code"]),
            parameters: parameters ?? .null, output: output ?? .null,
            error: unreadable.isEmpty ? error : "the stored \(unreadable.joined(separator: " and ")) cannot be read" + (error.map { "; \($0)" } ?? ""), parentTaskId: row["parent_task_id"], startedAt: Timestamp.date(millis: row["started_at"]),
            finishedAt: Timestamp.date(millis: row["finished_at"]), childRunId: row["child_run_id"])
    }
}
