import CaseworkerCore
import Foundation

/// Plans runs, one way for every start: `POST /v1/workflows/run`, a `workflow.run` step's child
/// and a failed run's failure workflow. `resolve` reads what a start needs (the case, the
/// definition version, parsed once per process, the parameter set) and answers it or a typed
/// refusal; `ResolvedRunStart.plan` then makes the run without I/O.
public struct RunPlanner: Sendable {
    public typealias Reads = RunStore & CaseStore & DefinitionStore & ParameterSetStore

    let store: any Reads
    let definitions: DefinitionCache
    let limits: ValueLimits

    public init(store: any Reads, definitions: DefinitionCache, limits: ValueLimits) {
        self.store = store
        self.definitions = definitions
        self.limits = limits
    }

    /// What a run of definition `definitionId` (`version`, or its latest published one) for case
    /// `caseId` with parameter set `parametersId` starts from, in the checks' order: the case
    /// (unknown, erased), the definition (unknown, no published version, disabled), the parameter
    /// set (unknown, of another definition, invalid values).
    public func resolve(
        tenantId: String, caseId: String, definitionId: String, version: Int?, parametersId: String?
    ) async throws -> Result<ResolvedRunStart, RunRefusal> {
        guard let caseRecord = try await store.findCase(tenantId: tenantId, id: caseId) else { return .failure(.caseNotFound(caseId)) }
        guard !caseRecord.isErased else { return .failure(.caseErased(caseId)) }
        guard let runnable = try await store.findRunnableVersion(tenantId: tenantId, id: definitionId, number: version) else {
            let exists = try await store.findDefinition(tenantId: tenantId, id: definitionId, selector: .current) != nil
            return .failure(exists && version == nil ? .noPublishedVersion(definitionId) : .definitionNotFound(id: definitionId, version: version))
        }
        guard !runnable.disabled else { return .failure(.disabled(definitionId)) }
        let definition = try await definitions.definition(versionId: runnable.versionId) {
            try await store.definitionContent(versionId: runnable.versionId)
        }
        var values: [String: JSONValue] = [:]
        if let parametersId {
            guard let parameters = try await store.findParameterSet(tenantId: tenantId, id: parametersId) else {
                return .failure(.parametersNotFound(parametersId))
            }
            guard parameters.workflowDefinitionId == definitionId else {
                return .failure(
                    .invalid(
                        ValidationFailed([
                            FieldError(
                                property: "/parametersId",
                                message: "belongs to workflow definition \(parameters.workflowDefinitionId), not \(definitionId)")
                        ])))
            }
            do {
                values = try definition.variables.validate(values: parameters.values, at: "/parametersId")
            } catch {
                return .failure(.invalid(error))
            }
        }
        return .success(
            ResolvedRunStart(
                tenantId: tenantId, caseId: caseId, caseRecord: caseRecord, definitionId: definitionId, version: runnable.version,
                versionId: runnable.versionId, definition: definition, parametersId: parametersId, values: values, limits: limits))
    }

    /// The failure workflow `run` of `definition` would start if it ended `FAILED` or `TIMED_OUT`:
    /// the named definition's latest published version, for the same case, without a parameter
    /// set. `.none` when the definition names none, or the run is itself a failure workflow or a
    /// branch run (`RunBranch`: its parent's end starts it).
    public func failureWorkflow(of run: Run, definition: WorkflowDefinition?) async throws -> FailureWorkflowTarget {
        guard run.failureOfRunId == nil, run.branch == nil, let name = definition?.failureWorkflow, !name.isEmpty else { return .none }
        switch try await resolve(tenantId: run.tenantId, caseId: run.caseId, definitionId: name, version: nil, parametersId: nil) {
        case .success(let resolved): return .resolved(resolved)
        case .failure(let refusal): return .refused(name: name, refusal)
        }
    }
}
