import CaseworkerCore
import Foundation

extension Run {
    /// The run of a `runs` row. A JSON column that cannot be read (a damaged file, or a value
    /// stored before the value limits) reads as `null` (or empty) and is named in
    /// `unreadableColumns`, with `error` `corrupt_state`: reads show it, and the engine ends it
    /// (`RunLifecycle.unreadable`), so one unreadable row never fails a read or a claim of others.
    public static func reading<Row: StoredRow>(_ row: Row) throws(Row.ReadError) -> Run {
        var unreadable: [String] = []
        func json(_ column: String) throws(Row.ReadError) -> JSONValue? {
            guard let text = try row.text(column) else { return nil }
            guard let value = try? JSONText.decode(text) else {
                unreadable.append(column)
                return .null
            }
            return value
        }
        func text(_ column: String) throws(Row.ReadError) -> String { try row.text(column) ?? "" }
        func int(_ column: String) throws(Row.ReadError) -> Int { try row.int(column) ?? 0 }
        let input = try json("input") ?? .null
        let params = try json("params")?.objectValue ?? [:]
        let state = try json("state")?.objectValue ?? [:]
        let stepResults = try json("step_results")?.objectValue ?? [:]
        let result = try json("result")
        let error = try json("error").flatMap(RunError.init(json:))
        let wait: RunWait? =
            if let since = try row.date("waiting_since") {
                RunWait(
                    since: since, storedSignal: try row.text("wait_signal"), until: try row.date("wait_until"),
                    payload: try json("wait_payload"), childRunId: try row.text("wait_child_run_id"))
            } else { nil }
        let currentStepId = try row.text("current_step_id")
        var run = Run(
            id: try text("id"), tenantId: try text("tenant_id"), caseId: try text("case_id"),
            workflowDefinitionId: try text("workflow_definition_id"), version: try int("version"), versionId: try text("version_id"),
            parametersId: try row.text("parameters_id"), status: RunStatus(rawValue: try text("status")) ?? .failed,
            currentStepId: currentStepId, flowMode: FlowMode(text: try text("flow_mode")) ?? .main, attempt: try int("attempt"),
            stepsExecuted: try int("steps_executed"), input: input, params: params, state: state, stepResults: stepResults,
            correlationId: try row.text("correlation_id"), channel: try row.text("channel"), result: result, error: error,
            dueAt: try row.date("due_at"), createdAt: try row.date("created_at") ?? Date(timeIntervalSince1970: 0),
            startedAt: try row.date("started_at"), finishedAt: try row.date("finished_at"), wait: wait,
            parentRunId: try row.text("parent_run_id"), depth: try int("depth"), failureOfRunId: try row.text("failure_of_run_id"),
            rateLimit: try row.text("rate_key").map { key throws(Row.ReadError) in RunRateLimit(key: key, limit: try int("rate_limit")) },
            timeout: try row.integer("timeout_ms").map { milliseconds throws(Row.ReadError) in
                RunTimeout(
                    seconds: Double(milliseconds) / 1000,
                    policy: WorkflowDefinition.TimeoutPolicy(rawValue: try text("timeout_policy")) ?? .timeOutWorkflow)
            },
            deadlineAt: try row.date("deadline_at"), timeoutAlertedAt: try row.date("timeout_alerted_at"),
            claim: try row.text("claimed_by").map { owner throws(Row.ReadError) in
                RunClaim(owner: owner, expiresAt: try row.date("claim_expires_at") ?? Date(timeIntervalSince1970: 0))
            },
            executorFailures: try int("executor_failures"),
            branch: try row.text("branch_group").map { group throws(Row.ReadError) in
                RunBranch(
                    stepId: try text("branch_step_id"), branchId: try text("branch_id"), group: group,
                    join: ParallelJoin(rawValue: try text("branch_join")) ?? .allFailFast)
            })
        if !unreadable.isEmpty {
            run.unreadableColumns = unreadable
            run.error = RunError(
                code: "corrupt_state", message: "the stored run cannot be read (\(unreadable.joined(separator: ", ")))",
                stepId: currentStepId)
        }
        return run
    }
}

extension RunTask {
    /// The task of a `run_tasks` row. A `parameters` or `output` that cannot be read (see
    /// `Run.reading`) reads as `null`, and `error` says so.
    public init<Row: StoredRow>(stored row: Row) throws(Row.ReadError) {
        let parameters = try row.readableJSON("parameters")
        let output = try row.readableJSON("output")
        let error = try row.text("error")
        let unreadable = [parameters == nil ? "parameters" : nil, output == nil ? "output" : nil].compactMap { $0 }
        self.init(
            id: try row.text("id") ?? "", runId: try row.text("run_id") ?? "", stepId: try row.text("step_id") ?? "",
            name: try row.text("name"), action: try row.text("action") ?? "", attempt: try row.int("attempt") ?? 1,
            outcome: StepOutcome(StepOutcome.Status(rawValue: try row.text("status") ?? "") ?? .ko, code: try row.text("code")),
            parameters: parameters ?? .null, output: output ?? .null,
            error: unreadable.isEmpty ? error : "the stored \(unreadable.joined(separator: " and ")) cannot be read" + (error.map { "; \($0)" } ?? ""),
            parentTaskId: try row.text("parent_task_id"), startedAt: try row.date("started_at") ?? Date(timeIntervalSince1970: 0),
            finishedAt: try row.date("finished_at") ?? Date(timeIntervalSince1970: 0), childRunId: try row.text("child_run_id"))
    }
}

extension WorkerTaskLease {
    /// The lease of a `worker_tasks` row: its current lease (a closed task's ends when it was
    /// finished).
    public init<Row: StoredRow>(stored row: Row) throws(Row.ReadError) {
        let input = try row.readableJSON("input") ?? .null
        let task = WorkerTask(
            id: try row.text("id") ?? "", tenantId: try row.text("tenant_id") ?? "", runId: try row.text("run_id") ?? "",
            caseId: try row.text("case_id") ?? "", stepId: try row.text("step_id") ?? "", stepAttempt: try row.int("step_attempt") ?? 1,
            queue: try row.text("queue") ?? "", input: input, leaseSeconds: Double(try row.integer("lease_ms") ?? 0) / 1000,
            deadline: try row.date("deadline_at") ?? Date(timeIntervalSince1970: 0),
            createdAt: try row.date("created_at") ?? Date(timeIntervalSince1970: 0))
        let finishedAt = try row.date("finished_at")
        self.init(
            id: try row.text("lease_id") ?? "", task: task, attempt: try row.int("attempts") ?? 0, worker: try row.text("worker") ?? "",
            expiresAt: try row.date("lease_expires_at") ?? finishedAt ?? Date(timeIntervalSince1970: 0))
    }
}
