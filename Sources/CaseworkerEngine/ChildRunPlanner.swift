import CaseworkerCore
import CaseworkerStore
import Foundation

/// What the engine needs from storage: runs, and the cases, definitions and parameter sets a
/// child run is planned from.
public typealias EngineStore = RunStore & CaseStore & DefinitionStore & ParameterSetStore

/// Why a `workflow.run` step could not start its child: the step ends `KO` with `code`, at once
/// (not retried: the same request would be refused again).
struct ChildRunRefusal: Error, Sendable {
    /// `child_not_found` (unknown definition, version or parameter set, or no published version),
    /// `child_disabled` (the definition is disabled), `child_invalid` (parameters of another
    /// definition, invalid parameter values, input refused by an enforced `inputSchema`, a
    /// `rateLimit.key` that fails), `child_depth_exceeded` (nesting beyond `maxDepth`).
    var code: String
    var message: String
}

/// Plans the child run of a `workflow.run` step exactly as `POST /v1/workflows/run` would plan a
/// run for the parent's case (same checks, same refusals as codes), inheriting the parent's
/// correlation id and channel.
struct ChildRunPlanner {
    /// How deeply child runs may nest (a definition that runs itself would otherwise never stop).
    static let maxDepth = 8

    let store: any EngineStore
    let definitions: DefinitionCache
    let clock: any WallClock
    let limits: ValueLimits

    func plan(_ request: ChildRunRequest, parent: Run, caseRecord: Case?) async throws -> Result<NewRun, ChildRunRefusal> {
        let id = request.definitionId
        guard parent.depth < Self.maxDepth else {
            return .failure(.init(code: "child_depth_exceeded", message: "child runs nest at most \(Self.maxDepth) deep"))
        }
        guard let version = try await store.findRunnableVersion(tenantId: parent.tenantId, id: id, number: request.version) else {
            let what = request.version.map { "version \($0) of workflow definition \(id)" } ?? "a published version of workflow definition \(id)"
            return .failure(.init(code: "child_not_found", message: "there is no \(what)"))
        }
        guard !version.disabled else {
            return .failure(.init(code: "child_disabled", message: "workflow definition \(id) is disabled"))
        }
        let definition = try await definitions.definition(versionId: version.versionId) {
            try await store.definitionContent(versionId: version.versionId)
        }
        var values: [String: JSONValue] = [:]
        if let parametersId = request.parametersId {
            guard let parameters = try await store.findParameterSet(tenantId: parent.tenantId, id: parametersId) else {
                return .failure(.init(code: "child_not_found", message: "there is no parameter set \(parametersId)"))
            }
            guard parameters.workflowDefinitionId == id else {
                return .failure(
                    .init(
                        code: "child_invalid",
                        message: "parameter set \(parametersId) belongs to workflow definition \(parameters.workflowDefinitionId), not \(id)"))
            }
            do {
                values = try definition.variables.validate(values: parameters.values, at: "/parametersId")
            } catch {
                return .failure(.init(code: "child_invalid", message: Self.describe(error)))
            }
        }
        let start = RunStartContext(caseRecord: caseRecord, caseId: parent.caseId, correlationId: parent.correlationId, now: clock.now, limits: limits)
        do {
            let plan = try definition.planRun(values: values, input: request.input, start: start)
            return .success(
                NewRun(
                    tenantId: parent.tenantId, caseId: parent.caseId, workflowDefinitionId: id, version: version.version,
                    versionId: version.versionId, parametersId: request.parametersId, input: request.input, plan: plan,
                    correlationId: parent.correlationId, channel: parent.channel, parentRunId: parent.id, depth: parent.depth + 1))
        } catch {
            return .failure(.init(code: "child_invalid", message: Self.describe(error)))
        }
    }

    static func describe(_ failure: ValidationFailed) -> String {
        "the child run was refused: " + failure.errors.map { "\($0.property.isEmpty ? "" : $0.property + " ")\($0.message)" }.joined(separator: "; ")
    }
}
