import CaseworkerCore
import CaseworkerStore
import Hummingbird

/// `/v1/parameters` (SPEC 2.3): create and get parameter sets.
///
/// Until workflow definitions exist (issue #3) the body's shape is validated but the definition
/// and its `variables` are not checked: see `docs/api.md`.
struct ParameterSetRoutes {
    let store: any ParameterSetStore

    func register(on v1: RouterGroup<APIRequestContext>) {
        let parameters = v1.group("parameters").add(middleware: ScopeMiddleware(resource: .parameters))
        parameters.post(use: create)
        parameters.get("{id}", use: get)
        parameters.methodNotAllowed(allowing: [.post])
        parameters.methodNotAllowed("{id}", allowing: [.get])
    }

    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> Response {
        let tenantId = try context.tenantId()
        let input = try ParameterSetInput(from: try await JSONBody.read(request, context: context))
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
