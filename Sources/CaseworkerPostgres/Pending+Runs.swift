import CaseworkerCore
import CaseworkerStore
import Foundation

// TODO(#18): the PostgreSQL Runs store is not written yet: every method throws
// `PostgresStoreError.notImplemented`, and `database.url` is refused until none does.

extension PostgresStore: RunStore {
    public func startRun(_ new: NewRun) async throws -> Run{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func findRun(tenantId: String, id: String) async throws -> Run?{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func listRuns(tenantId: String, filter: RunFilter, page: PageRequest) async throws -> Page<Run>{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func runExecution(tenantId: String, runId: String) async throws -> (run: Run, tasks: [RunTask])?{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func branchExecutions(tenantId: String, runId: String) async throws -> [(run: Run, tasks: [RunTask])]{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func branchRuns(tenantId: String, parentRunId: String, group: String?) async throws -> [Run]{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func definitionContent(versionId: String) async throws -> JSONValue?{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func changeRun(
        tenantId: String?, id: String, _ decide: @escaping @Sendable (Run, LifecycleContext) throws(RunConflict) -> RunChange?
    ) async throws -> (run: Run, change: RunChange?)?{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func releaseClaimsAtStartup() async throws -> Int{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func claimDueRuns(owner: String, limit: Int, now: Date, leaseUntil: Date) async throws -> [Run]{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func renewClaims(owner: String, until: Date) async throws -> Int{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func nextDueDate() async throws -> Date?{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func commit(_ change: RunChange, owner: String, context: LifecycleContext) async throws -> Run{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func releaseClaim(runId: String, owner: String) async throws{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func dueTimeouts(now: Date, limit: Int) async throws -> [Run]{
        throw PostgresStoreError.notImplemented(#function)
    }
}
