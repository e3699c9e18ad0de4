import CaseworkerCore
import CaseworkerStore
import Foundation
import GRDB

extension SQLiteStore {
    /// Inserts `new` as a `PENDING` run, due at `now`, inside the caller's transaction:
    /// `startRun` (the API), and a `workflow.run` step's child or a failure workflow
    /// (`RunEffect.startRun`) all write runs through here. The rate limit and
    /// the workflow timeout of the plan become columns (`rate_key`/`rate_limit`,
    /// `timeout_ms`/`timeout_policy`); the deadline is set when the engine starts the run.
    static func insertRun(_ db: Database, _ new: NewRun, now: Int64) throws {
        try db.execute(
            cached: """
                INSERT INTO runs (id, tenant_id, case_id, workflow_definition_id, version, version_id, parameters_id,
                    status, current_step_id, input, params, state, step_results, correlation_id, channel,
                    due_at, created_at, updated_at, parent_run_id, depth, failure_of_run_id, rate_key, rate_limit,
                    timeout_ms, timeout_policy, steps_executed, branch_step_id, branch_id, branch_group, branch_join)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'PENDING', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                new.id, new.tenantId, new.caseId, new.workflowDefinitionId, new.version, new.versionId, new.parametersId,
                new.plan.firstStepId, JSONText.encode(new.input), JSONText.encode(.object(new.plan.params)),
                JSONText.encode(.object(new.plan.state)), JSONText.encode(.object(new.stepResults)), new.correlationId, new.channel,
                now, now, now, new.parentRunId, new.depth, new.failureOfRunId, new.plan.rateLimit?.key, new.plan.rateLimit?.limit,
                new.plan.timeout?.milliseconds, new.plan.timeout?.policy.rawValue, new.stepsExecuted, new.branch?.stepId,
                new.branch?.branchId, new.branch?.group, new.branch?.join.rawValue,
            ])
    }
}
