import CaseworkerCore
import CaseworkerStore
import Foundation
import GRDB

extension SQLiteStore: RunStore {
    public func startRun(_ new: NewRun) async throws -> Run {
        let id = newId()
        let now = nowMillis
        try await write("startRun") { db in
            // Checked in the insert's transaction: an erasure committed since the API read the
            // case refuses the run.
            let erased = try Int64.fetchOne(
                db, cached: "SELECT erased_at FROM cases WHERE tenant_id = ? AND id = ?", arguments: [new.tenantId, new.caseId])
            guard erased == nil else { throw StoreError.conflict("case \(new.caseId) is erased") }
            try Self.insertRun(db, new, id: id, now: now)
        }
        signals.workAvailable.signal()
        return Run(inserted: new, id: id, now: now)
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
        conditions.add("id < ?", page.beforeId)
        let sql = "SELECT * FROM runs \(conditions.sql) ORDER BY id DESC LIMIT ?"
        let arguments = StatementArguments(conditions.values + [(page.limit + 1).databaseValue])
        return try await pool.read { db in
            let rows = try Row.fetchAll(db, cached: sql, arguments: arguments)
            return Page(items: rows.prefix(page.limit).map { Run.reading($0).run }, hasMore: rows.count > page.limit)
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

    public func definitionContent(versionId: String) async throws -> JSONValue? {
        try await pool.read { db in
            try String.fetchOne(db, cached: "SELECT content FROM workflow_definition_versions WHERE version_id = ?", arguments: [versionId])
                .map(JSONText.decode)
        }
    }

    public func releaseAllClaims() async throws -> Int {
        let released = try await write("releaseAllClaims") { db in
            try db.execute(cached: "UPDATE runs SET claimed_by = NULL WHERE claimed_by IS NOT NULL")
            return db.changesCount
        }
        if released > 0 { signals.workAvailable.signal() }
        return released
    }

    public func claimDueRuns(owner: String, limit: Int, now: Date) async throws -> [Run] {
        guard limit > 0 else { return [] }
        let nowMillis = Timestamp.millis(now)
        let claimed = try await write("claimDueRuns") { db -> [Run] in
            // Due runs in due order (then id): those free to start, and the queued rate-limited
            // runs their keys admit (`admissibleQueuedRuns`).
            var due = try Row.fetchAll(
                db,
                cached: """
                    SELECT id, due_at FROM runs WHERE \(Self.dueUnqueued) AND due_at <= ? AND status IN ('PENDING', 'RUNNING', 'WAITING')
                    ORDER BY due_at, id LIMIT ?
                    """,
                arguments: [nowMillis, limit]
            ).map { (id: $0[0] as String, dueAt: $0[1] as Int64) }
            due += try Self.admissibleQueuedRuns(db).filter { $0.dueAt <= nowMillis }
            let ids = due.sorted { ($0.dueAt, $0.id) < ($1.dueAt, $1.id) }.prefix(limit).map { JSONValue.string($0.id) }
            guard !ids.isEmpty else { return [] }
            let rows = try Row.fetchAll(
                db,
                cached: """
                    UPDATE runs SET claimed_by = ?1,
                        status = CASE WHEN status IN ('PENDING', 'WAITING') THEN 'RUNNING' ELSE status END,
                        started_at = COALESCE(started_at, ?2), updated_at = ?2, \(Self.deadlineOnStart)
                    WHERE id IN (SELECT value FROM json_each(?3))
                    RETURNING *
                    """,
                arguments: [owner, nowMillis, JSONText.encode(.array(Array(ids)))])
            // A row that cannot be read fails its run alone, in this transaction.
            return try rows.map { row in
                let (run, unreadable) = Run.reading(row)
                return unreadable == nil ? run : try self.failUnreadable(db, run, now: nowMillis)
            }
        }
        for run in claimed { signals.runChanges.notify(run.id) }
        return claimed.sorted { ($0.dueAt ?? .distantPast, $0.id) < ($1.dueAt ?? .distantPast, $1.id) }
    }

    public func nextDueDate() async throws -> Date? {
        try await pool.read { db in
            let due = try Int64.fetchOne(db, cached: "SELECT MIN(due_at) FROM runs WHERE \(Self.dueUnqueued)")
            let queued = try Self.admissibleQueuedRuns(db).map(\.dueAt).min()
            let deadline = try Self.nextDeadline(db)
            return [due, queued, deadline].compactMap { $0 }.min().map(Timestamp.date(millis:))
        }
    }

    public func finishSteps(run current: Run, owner: String, completions: [StepCompletion]) async throws -> Run {
        guard let completion = completions.last else { return current }
        precondition(
            completions.dropLast().allSatisfy { if case .step = $0.next { $0.keepClaim } else { false } },
            "only the last completion of a batch may leave its step sequence")
        let now = nowMillis
        let eventId = "msg_" + newId()
        let runId = current.id
        // What needs no database is computed before the write: the writer connection is the one
        // serial resource of the daemon, so its transactions hold SQL only (docs/PERFORMANCE.md).
        let prepared = completions.reduce(current) { $0.applying($1) }
        let tasks = completions.compactMap { completion in
            completion.task.map {
                (task: $0, parentStepId: completion.parentStepId, parameters: JSONText.encode($0.parameters), output: JSONText.encode($0.output))
            }
        }
        let state = completions.allSatisfy(\.stateChanges.isEmpty) ? nil : JSONText.encode(.object(prepared.state))
        let stepResults = JSONText.encode(.object(prepared.stepResults))
        let result = prepared.result.map(JSONText.encode)
        let error = prepared.error.map { JSONText.encode($0.json) }
        let terminalEvent = prepared.status.eventType.flatMap(WebhookEventType.init(rawValue:)).map {
            (type: $0, body: Self.eventBody(type: $0, timestamp: now, data: prepared.eventData))
        }

        let run = try await write("finishStep") { db in
            guard let row = try Row.fetchOne(db, cached: "SELECT claimed_by, status FROM runs WHERE id = ?", arguments: [runId]) else {
                throw StoreError.conflict("run \(runId) does not exist")
            }
            guard (row["claimed_by"] as String?) == owner, !(RunStatus(rawValue: row["status"])?.isTerminal ?? true) else {
                throw StoreError.conflict("run \(runId) is not claimed by this engine")
            }
            var run = prepared
            for (task, parentStepId, parameters, output) in tasks {
                let parentTaskId = try parentStepId.flatMap {
                    try String.fetchOne(
                        db, cached: "SELECT id FROM run_tasks WHERE run_id = ? AND step_id = ? ORDER BY id DESC LIMIT 1",
                        arguments: [runId, $0])
                }
                try db.execute(
                    cached: """
                        INSERT INTO run_tasks (id, run_id, step_id, name, action, attempt, status, code, parameters, output,
                            error, parent_task_id, started_at, finished_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        task.id, runId, task.stepId, task.name, task.action, task.attempt, task.outcome.status.rawValue,
                        task.outcome.code, parameters, output, task.error,
                        parentTaskId, Timestamp.millis(task.startedAt), Timestamp.millis(task.finishedAt),
                    ])
                try Self.linkChildTask(db, task)
            }

            var claimedBy: String? = completion.keepClaim ? owner : nil
            var dueAt: Int64? = now
            var wait: RunWait?
            var waitingForSignal = false
            switch completion.next {
            case .retry(let at):
                dueAt = Timestamp.millis(at)
                claimedBy = nil
            case .step, .complete, .end:
                break
            case .suspend(var suspended):
                claimedBy = nil
                dueAt = suspended.until.map(Timestamp.millis)
                if let name = suspended.signal {
                    // The earliest kept signal of that name is consumed at once: the run is due now.
                    if let kept = try Row.fetchOne(
                        db,
                        cached: """
                            SELECT id, payload FROM run_signals
                            WHERE tenant_id = ? AND run_id = ? AND name = ? AND consumed_at IS NULL ORDER BY id LIMIT 1
                            """,
                        arguments: [run.tenantId, runId, name])
                    {
                        try db.execute(
                            cached: "UPDATE run_signals SET consumed_at = ?, consumed_by_step = ? WHERE tenant_id = ? AND id = ?",
                            arguments: [now, run.currentStepId, run.tenantId, kept["id"] as String])
                        suspended.payload = try JSONText.decode(kept["payload"] as String)
                        dueAt = now
                    } else {
                        waitingForSignal = true
                    }
                }
                wait = suspended
            case .startChild(let child, let since):
                claimedBy = nil
                dueAt = nil
                wait = RunWait.child(try self.insertChildRun(db, child, parent: run, now: now), since: since)
            }
            var finishedAt: Int64?
            if run.status.isTerminal {
                finishedAt = now
                dueAt = nil
                claimedBy = nil
            }
            try db.execute(
                cached: """
                    UPDATE runs SET status = ?, current_step_id = ?, flow_mode = ?, attempt = ?, steps_executed = ?,
                        state = COALESCE(?, state), step_results = ?, result = ?, error = ?, due_at = ?, claimed_by = ?,
                        finished_at = ?, waiting_since = ?, wait_signal = ?, wait_until = ?, wait_payload = ?,
                        wait_child_run_id = ?, updated_at = ?
                    WHERE id = ?
                    """,
                arguments: [
                    run.status.rawValue, run.currentStepId, run.flowMode.text, run.attempt, run.stepsExecuted,
                    state, stepResults, result, error, dueAt, claimedBy, finishedAt,
                    wait.map { Timestamp.millis($0.since) }, wait?.storedSignal, wait?.until.map(Timestamp.millis),
                    wait?.payload.map(JSONText.encode), wait?.childRunId, now, runId,
                ])
            // The outbox: a terminal run's event commits with the run, or not at all.
            if let terminalEvent {
                try Self.insertEvent(
                    db, tenantId: run.tenantId, type: terminalEvent.type, body: terminalEvent.body, runId: runId,
                    definitionId: run.workflowDefinitionId, eventId: eventId, now: now)
                try self.runEnded(db, run, now: now)
            }
            // A run that starts waiting for a signal announces it, in the same transaction.
            if waitingForSignal, let name = wait?.signal {
                var data = run.eventData.objectValue ?? [:]
                data["signal"] = .string(name)
                try Self.enqueueEvent(
                    db, tenantId: run.tenantId, type: WebhookEventType.waiting.rawValue, data: .object(data), runId: runId,
                    eventId: eventId, now: now)
            }
            // The row as written, without reading (and decoding) it back.
            run.dueAt = dueAt.map(Timestamp.date(millis:))
            run.finishedAt = finishedAt.map(Timestamp.date(millis:))
            run.wait = wait
            return run
        }
        signals.runChanges.notify(runId)
        if !completion.keepClaim || run.status.isTerminal { signals.workAvailable.signal() }
        return run
    }

    /// Ends `run`, whose row could not be read (`Run.reading`), `FAILED` with its
    /// `corrupt_state` error, with its terminal event, as any run's end.
    private func failUnreadable(_ db: Database, _ unreadable: Run, now: Int64) throws -> Run {
        var run = unreadable
        run.status = .failed
        run.finishedAt = Timestamp.date(millis: now)
        run.dueAt = nil
        run.wait = nil
        run.currentStepId = nil
        try db.execute(
            cached: """
                UPDATE runs SET status = 'FAILED', error = ?, result = NULL, due_at = NULL, claimed_by = NULL, current_step_id = NULL,
                    finished_at = ?,
                    waiting_since = NULL, wait_signal = NULL, wait_until = NULL, wait_payload = NULL, wait_child_run_id = NULL,
                    updated_at = ?
                WHERE id = ?
                """,
            arguments: [run.error.map { JSONText.encode($0.json) }, now, now, run.id])
        try Self.insertEvent(
            db, tenantId: run.tenantId, type: .failed, body: Self.eventBody(type: .failed, timestamp: now, data: run.eventData),
            runId: run.id, definitionId: run.workflowDefinitionId, eventId: "msg_" + newId(), now: now)
        try runEnded(db, run, now: now)
        return run
    }

    public func releaseClaim(runId: String, owner: String) async throws {
        try await write("releaseClaim") { db in
            try db.execute(cached: "UPDATE runs SET claimed_by = NULL WHERE id = ? AND claimed_by = ?", arguments: [runId, owner])
        }
    }

    static func fetchRun(_ db: Database, tenantId: String, id: String) throws -> Run? {
        try Row.fetchOne(db, cached: "SELECT * FROM runs WHERE tenant_id = ? AND id = ?", arguments: [tenantId, id]).map { Run.reading($0).run }
    }
}

extension Run {
    /// `data` of the run's webhook events (SPEC 3).
    var eventData: JSONValue {
        [
            "id": .string(id), "caseId": .string(caseId), "workflowDefinitionId": .string(workflowDefinitionId),
            "version": .int(version), "status": .string(status.rawValue), "result": result ?? .null, "error": error?.json ?? .null,
            "correlationId": correlationId.map(JSONValue.string) ?? .null,
        ]
    }

    /// The run of `row`; with the names of its JSON columns that could not be read (a damaged
    /// file, or a value stored before the value limits) when some could not. Such a run reads
    /// those columns as `null` (or empty), and its `error` is `corrupt_state` naming them: reads
    /// show it, and the claim fails it (`failUnreadable`), so one unreadable row never fails a
    /// read or a claim of other runs.
    static func reading(_ row: Row) -> (run: Run, unreadable: [String]?) {
        if let run = try? Run(row: row, json: { try JSONText.decode($0) }) { return (run, nil) }
        var run = Run(row: row) { (try? JSONText.decode($0)) ?? .null }
        let unreadable = ["input", "params", "state", "step_results", "result", "error", "wait_payload"].filter { column in
            guard let text = row[column] as String? else { return false }
            return (try? JSONText.decode(text)) == nil
        }
        run.error = RunError(
            code: "corrupt_state", message: "the stored run cannot be read (\(unreadable.joined(separator: ", "))); it was failed",
            stepId: run.currentStepId)
        return (run, unreadable)
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
                return RunWait(
                    signal: child == nil ? row["wait_signal"] : nil, until: (row["wait_until"] as Int64?).map(Timestamp.date(millis:)),
                    since: Timestamp.date(millis: since), payload: try (row["wait_payload"] as String?).map(decode),
                    childRunId: child)
            },
            parentRunId: row["parent_run_id"], depth: row["depth"], failureOfRunId: row["failure_of_run_id"],
            rateLimit: (row["rate_key"] as String?).map { RunRateLimit(key: $0, limit: row["rate_limit"]) })
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
