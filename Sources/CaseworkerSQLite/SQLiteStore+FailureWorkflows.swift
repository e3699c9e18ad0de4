import CaseworkerCore
import CaseworkerStore
import Foundation
import GRDB

/// Failure workflows (SPEC 2.7), started by `runEnded` in the failed run's terminal transaction.
extension SQLiteStore {
    /// Starts the `failureWorkflow` of `failed`'s definition version for the same case, with input
    /// `{failedRunId, failureStatus, reason, failedStepId, input}` (SPEC 2.7), its latest
    /// published version, no parameter set, and `failed`'s correlation id and channel.
    ///
    /// Not started: for a run that is itself a failure workflow (no recursion), and when the
    /// named definition has no published version or is disabled (a disabled definition starts
    /// no runs). The failure workflow's `inputSchema` is not enforced: Caseworker writes that
    /// input. A `rateLimit.key` that fails to evaluate is the empty key.
    func startFailureWorkflow(_ db: Database, failed: Run, now: Int64) throws {
        guard failed.failureOfRunId == nil else { return }
        guard
            let name = try String.fetchOne(
                db, cached: "SELECT json_extract(content, '$.failureWorkflow') FROM workflow_definition_versions WHERE version_id = ?",
                arguments: [failed.versionId]),
            let version = try Self.fetchVersion(db, tenantId: failed.tenantId, id: name, selector: .latest), !version.disabled
        else { return }
        var definition = try WorkflowDefinition(loading: version.content)
        definition.enforceSchema = false
        let input: JSONValue = [
            "failedRunId": .string(failed.id), "failureStatus": .string(failed.status.rawValue),
            "reason": failed.error.map { .string($0.message) } ?? .null,
            "failedStepId": failed.error?.stepId.map(JSONValue.string) ?? .null, "input": failed.input,
        ]
        var plan = try definition.planRun(values: [:], input: input)
        let start = RunStartContext(
            caseRecord: try Self.fetchCase(db, tenantId: failed.tenantId, id: failed.caseId), caseId: failed.caseId,
            correlationId: failed.correlationId, now: Timestamp.date(millis: now))
        plan.rateLimit = (try? definition.rateLimit(for: plan, input: input, start: start))
            ?? definition.rateLimit.map { RunRateLimit(key: "", limit: $0.concurrentExecLimit) }
        plan.timeout = definition.runTimeout
        let id = newId()
        try Self.insertRun(
            db,
            NewRun(
                tenantId: failed.tenantId, caseId: failed.caseId, workflowDefinitionId: name, version: version.version,
                versionId: version.versionId, parametersId: nil, input: input, plan: plan, correlationId: failed.correlationId,
                channel: failed.channel, failureOfRunId: failed.id),
            id: id, now: now)
        db.afterNextTransaction { _ in self.signals.workAvailable.signal() }
    }
}
