import CaseworkerCore
import CaseworkerStore
import Hummingbird

/// `/v1/parameters` (SPEC 2.3): create and get parameter sets.
///
/// Values are checked against the `variables` of the definition version they are for: the given
/// `version`, else the latest published one.
struct ParameterSetRoutes {
    let store: any ParameterSetStore & DefinitionStore

    func register(on v1: ResourceGroups) {
        let parameters = v1.group("parameters", scope: .parameters)
        parameters.post(use: create)
        parameters.get("{id}", use: get)
        parameters.answerMethodNotAllowed()
    }

    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> Response {
        let tenantId = try context.tenantId()
        var input = try ParameterSetInput(from: try await JSONBody.read(request, context: context))
        let selector = input.version.map(VersionSelector.number) ?? .latest
        guard let version = try await store.findDefinition(tenantId: tenantId, id: input.workflowDefinitionId, selector: selector) else {
            if input.version == nil,
                try await store.findDefinition(tenantId: tenantId, id: input.workflowDefinitionId, selector: .current) != nil
            {
                throw Problem.conflict("workflow definition \(input.workflowDefinitionId) has no published version")
            }
            throw Problem.notFound(
                "no workflow definition \(input.workflowDefinitionId)\(input.version.map { " at version \($0)" } ?? "")")
        }
        let definition = try WorkflowDefinition(loading: version.content)
        input.values = try definition.variables.validate(values: input.values, at: "/values")
        input.version = version.version
        let created = try await store.createParameterSet(tenantId: tenantId, input: input)
        return .json(created.representation, status: .created, headers: [.location: "/v1/parameters/\(created.id)"])
    }

    @Sendable func get(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard let found = try await store.findParameterSet(tenantId: try context.tenantId(), id: id) else {
            throw Problem.notFound("no parameter set with id \(id)")
        }
        return .json(found.representation)
    }
}
