import CaseworkerCore
import CaseworkerStore
import Foundation
import PostgresNIO

extension PostgresStore: RunStore {
    public func startRun(_ new: NewRun) async throws -> Run {
        let now = nowMillis
        try await write("startRun") { tx in
            // Checked in the insert's transaction, the case read `FOR SHARE`: an erasure
            // committed since the API read the case refuses the run, and one under way waits
            // for this commit (and then erases the run's input with the case's others).
            let erased = try await tx.row("SELECT erased_at FROM cases WHERE tenant_id = \(new.tenantId) AND id = \(new.caseId) FOR SHARE")
            guard try erased?["erased_at"].decode(Int64?.self) == nil else { throw StoreError.conflict("case \(new.caseId) is erased") }
            try await Self.insertRun(new, in: tx, now: now)
            tx.announce(.workAvailable)
        }
        return Run(inserted: new, now: now)
    }

    public func findRun(tenantId: String, id: String) async throws -> Run? {
        try await read { tx in try await Self.fetchRun(in: tx, tenantId: tenantId, id: id) }
    }

    /// The filters not given fold away when the statement is planned (PostgresNIO's statements
    /// are unnamed, planned with their values), so a filter's index is read as in SQLite's
    /// `ListConditions`.
    public func listRuns(tenantId: String, filter: RunFilter, page: PageRequest) async throws -> Page<Run> {
        let status = filter.status?.rawValue
        let createdAfter = filter.createdAfter.map(Timestamp.millis)
        let createdBefore = filter.createdBefore.map(Timestamp.millis)
        // Branch runs are listed under their parent only (`branchRuns`).
        let rows = try await rows(
            """
            SELECT * FROM runs
            WHERE tenant_id = \(tenantId) AND branch_group IS NULL
                AND (\(status)::text IS NULL OR status = \(status))
                AND (\(filter.caseId)::text IS NULL OR case_id = \(filter.caseId))
                AND (\(filter.workflowDefinitionId)::text IS NULL OR workflow_definition_id = \(filter.workflowDefinitionId))
                AND (\(createdAfter)::bigint IS NULL OR created_at > \(createdAfter))
                AND (\(createdBefore)::bigint IS NULL OR created_at < \(createdBefore))
                AND (\(filter.correlationId)::text IS NULL OR correlation_id = \(filter.correlationId))
                AND (\(page.beforeId)::text IS NULL OR id < \(page.beforeId))
            ORDER BY id DESC LIMIT \(page.limit + 1)
            """)
        return Page(items: try rows.prefix(page.limit).map { try Run.reading($0) }, hasMore: rows.count > page.limit)
    }

    public func runExecution(tenantId: String, runId: String) async throws -> (run: Run, tasks: [RunTask])? {
        try await snapshot { tx in
            guard let run = try await Self.fetchRun(in: tx, tenantId: tenantId, id: runId) else { return nil }
            let tasks = try await tx.rows("SELECT * FROM run_tasks WHERE run_id = \(runId) ORDER BY id").map { try RunTask(stored: $0) }
            return (run, tasks)
        }
    }

    /// Two statements in one snapshot: the branch runs, nested ones included (a recursive
    /// query), then all their tasks.
    public func branchExecutions(tenantId: String, runId: String) async throws -> [(run: Run, tasks: [RunTask])] {
        try await snapshot { tx in
            let branches = try await tx.rows(
                """
                WITH RECURSIVE branch AS (
                    SELECT * FROM runs WHERE tenant_id = \(tenantId) AND parent_run_id = \(runId) AND branch_group IS NOT NULL
                    UNION ALL
                    SELECT runs.* FROM runs JOIN branch ON runs.parent_run_id = branch.id
                    WHERE runs.tenant_id = \(tenantId) AND runs.branch_group IS NOT NULL
                )
                SELECT * FROM branch ORDER BY id LIMIT \(Self.maxBranchRunsRead)
                """
            ).map { try Run.reading($0) }
            guard !branches.isEmpty else { return [] }
            var tasks: [String: [RunTask]] = [:]
            for row in try await tx.rows("SELECT * FROM run_tasks WHERE run_id = ANY(\(branches.map(\.id))) ORDER BY id") {
                let task = try RunTask(stored: row)
                tasks[task.runId, default: []].append(task)
            }
            return branches.map { ($0, tasks[$0.id] ?? []) }
        }
    }

    /// The most branch runs `branchExecutions` reads.
    static let maxBranchRunsRead = 2000

    public func branchRuns(tenantId: String, parentRunId: String, group: String?) async throws -> [Run] {
        try await rows(
            """
            SELECT * FROM runs WHERE tenant_id = \(tenantId) AND parent_run_id = \(parentRunId) AND branch_group IS NOT NULL
                AND (\(group)::text IS NULL OR branch_group = \(group)) ORDER BY id
            """
        ).map { try Run.reading($0) }
    }

    public func definitionContent(versionId: String) async throws -> JSONValue? {
        try await row("SELECT content FROM workflow_definition_versions WHERE version_id = \(versionId)")
            .map { try JSONText.decode($0["content"].decode(String.self)) }
    }

    /// The run is read `FOR UPDATE`: `decide` sees the row as committed and nothing changes it
    /// (an engine's commit, another instance's cancel) until this commits.
    public func changeRun(
        tenantId: String?, id: String, _ decide: @escaping @Sendable (Run, LifecycleContext) throws(RunConflict) -> RunChange?
    ) async throws -> (run: Run, change: RunChange?)? {
        let context = lifecycleContext()
        return try await write("changeRun") { tx -> (run: Run, change: RunChange?)? in
            guard
                let row = try await tx.row(
                    "SELECT * FROM runs WHERE id = \(id) AND (\(tenantId)::text IS NULL OR tenant_id = \(tenantId)) FOR UPDATE")
            else { return nil }
            let run = try Run.reading(row)
            let change: RunChange?
            do {
                change = try decide(run, context)
            } catch let conflict as RunConflict {
                throw StoreError.conflict(conflict.description)
            }
            guard let change else { return (run, nil) }
            return (try await PostgresRunTransaction(store: self, transaction: tx).apply(change, context: context), change)
        }
    }

    public func commit(_ change: RunChange, owner: String, context: LifecycleContext) async throws -> Run {
        let encoded = EncodedRunChange(change)
        return try await write("commitRun") { tx in
            try await PostgresRunTransaction(store: self, transaction: tx, encoded: encoded).apply(change, claimedBy: owner, context: context)
        }
    }

    /// The time and ids of the changes this store decides itself (`changeRun`).
    func lifecycleContext() -> LifecycleContext {
        let ids = self.ids
        let clock = self.clock
        return LifecycleContext(now: clock.now, newId: { ids.next(at: clock.now) })
    }
}
