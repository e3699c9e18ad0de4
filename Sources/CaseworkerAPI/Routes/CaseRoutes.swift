import CaseworkerCore
import CaseworkerStore
import Hummingbird

/// `/v1/cases` (SPEC 2.2): create, get, list by `externalId`, merge-patch, erase.
struct CaseRoutes {
    let store: any CaseStore

    func register(on v1: ResourceGroups) {
        let cases = v1.group("cases", scope: .cases)
        cases.post(use: create)
        cases.get(use: list)
        cases.get("{id}", use: get)
        cases.patch("{id}", use: patch)
        cases.delete("{id}", use: erase)
        cases.answerMethodNotAllowed()
    }

    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> Response {
        let tenantId = try context.tenantId()
        let fields = try CaseInput.fields(from: try await JSONBody.read(request, context: context))
        let created = try await store.createCase(tenantId: tenantId, fields: fields)
        context.logger.info("case created", metadata: ["case_id": .string(created.id)])
        return .json(created.representation, status: .created, headers: [.location: "/v1/cases/\(created.id)"])
    }

    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let tenantId = try context.tenantId()
        let page = try Pagination.pageRequest(from: request)
        let externalId = request.uri.queryParameters["externalId"].map(String.init)
        let result = try await store.listCases(tenantId: tenantId, externalId: externalId, page: page)
        return Pagination.response(result, id: \.id, representation: \.representation)
    }

    @Sendable func get(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard let found = try await store.findCase(tenantId: try context.tenantId(), id: id) else {
            throw Problem.notFound("no case with id \(id)")
        }
        return .json(found.representation)
    }

    @Sendable func patch(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let tenantId = try context.tenantId()
        let patch = try await JSONBody.read(request, context: context)
        _ = try patch.requireObject()
        let updated = try await store.updateCase(tenantId: tenantId, id: id) { current in
            try CaseInput.patched(current.fields, with: patch)
        }
        guard let updated else { throw Problem.notFound("no case with id \(id)") }
        return .json(updated.representation)
    }

    @Sendable func erase(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard try await store.eraseCase(tenantId: try context.tenantId(), id: id) != nil else {
            throw Problem.notFound("no case with id \(id)")
        }
        context.logger.info("case erased", metadata: ["case_id": .string(id)])
        return Response(status: .noContent)
    }
}
