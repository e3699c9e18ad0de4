import Foundation

extension ParallelStep {
    /// The branch runs the `parallel` step `stepId` of `parent` starts, in the branches' order:
    /// each a child of `parent` (one level deeper) for its case, definition version, input and
    /// parameters, at its branch's first step, with the parent's state, step results and step
    /// count as they stand; the first id is the group's. No rate limit or workflow timeout of
    /// their own: the parent's timeout, cancel and end cancel them. `nil` when the parent nests
    /// `NewRun.maxDepth` deep already.
    public func branchRuns(stepId: String, parent: Run, ids: () -> String) -> [NewRun]? {
        guard parent.depth < NewRun.maxDepth else { return nil }
        let runIds = branches.map { _ in ids() }
        return zip(branches, runIds).map { branch, id in
            NewRun(
                id: id, tenantId: parent.tenantId, caseId: parent.caseId, workflowDefinitionId: parent.workflowDefinitionId,
                version: parent.version, versionId: parent.versionId, parametersId: parent.parametersId, input: parent.input,
                plan: RunPlan(params: parent.params, state: parent.state, firstStepId: branch.steps[0].id),
                correlationId: parent.correlationId, channel: parent.channel, parentRunId: parent.id, depth: parent.depth + 1,
                branch: RunBranch(stepId: stepId, branchId: branch.id, group: runIds[0], join: join),
                stepResults: parent.stepResults, stepsExecuted: parent.stepsExecuted)
        }
    }
}
