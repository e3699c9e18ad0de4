import CaseworkerCore

extension Run {
    /// The run as a store's insert of `new` writes it (`PENDING`, due at `now`, Unix
    /// milliseconds), without reading the row back.
    public init(inserted new: NewRun, now: Int64) {
        let date = Timestamp.date(millis: now)
        self.init(
            id: new.id, tenantId: new.tenantId, caseId: new.caseId, workflowDefinitionId: new.workflowDefinitionId, version: new.version,
            versionId: new.versionId, parametersId: new.parametersId, status: .pending, currentStepId: new.plan.firstStepId,
            flowMode: .main, attempt: 1, stepsExecuted: new.stepsExecuted, input: new.input, params: new.plan.params,
            state: new.plan.state, stepResults: new.stepResults, correlationId: new.correlationId, channel: new.channel, result: nil, error: nil, dueAt: date,
            createdAt: date, startedAt: nil, finishedAt: nil, wait: nil, parentRunId: new.parentRunId, depth: new.depth,
            failureOfRunId: new.failureOfRunId, rateLimit: new.plan.rateLimit,
            timeout: new.plan.timeout, branch: new.branch)
    }
}
