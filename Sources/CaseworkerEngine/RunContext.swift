import CaseworkerCore
import Foundation

/// The expression context of a run (SPEC 2.6): `case`, `params`, `input`, `state`, `steps`,
/// `run`, and the injected `now`.
enum RunContext {
    static func evaluation(run: Run, caseRecord: Case?, now: Date, limits: ValueLimits) -> EvaluationContext {
        var caseObject = caseRecord.map { CaseInput.json(of: $0.fields).objectValue ?? [:] } ?? [:]
        caseObject["id"] = .string(run.caseId)
        let runObject: JSONValue = [
            "id": .string(run.id), "createdAt": .string(Timestamp.rfc3339(run.createdAt)),
            "correlationId": run.correlationId.map(JSONValue.string) ?? .null,
            "workflowDefinitionId": .string(run.workflowDefinitionId), "version": .int(run.version),
        ]
        return EvaluationContext(
            variables: [
                "case": .object(caseObject), "params": .object(run.params), "input": run.input, "state": .object(run.state),
                "steps": .object(run.stepResults), "run": runObject,
            ],
            now: now, limits: limits)
    }

    /// `steps.<id>` for an attempt.
    static func stepResult(output: JSONValue, outcome: StepOutcome, attempt: Int) -> JSONValue {
        [
            "output": output, "status": .string(outcome.status.rawValue), "code": outcome.code.map(JSONValue.string) ?? .null,
            "attempt": .int(attempt),
        ]
    }
}
