import Foundation
import HTTPTypes
import CaseworkerCore
import CaseworkerStore
import Hummingbird

/// `/v1/workflow-definitions` (SPEC 2.4): drafts, immutable published versions, validation.
struct DefinitionRoutes {
    let store: any DefinitionStore
    /// What the installation allows a saved definition to name (`APIConfiguration.definitionRules`).
    var rules = DefinitionRules()

    func register(on v1: ResourceGroups) {
        let definitions = v1.group("workflow-definitions", scope: .definitions)
        definitions.get(use: list)
        definitions.put("{id}", use: save)
        definitions.post("import", use: importDefinition)
        definitions.get("{id}", use: get)
        definitions.get("{id}/versions", use: versions)
        definitions.post("{id}/publish", use: publish)
        definitions.post("{id}/disable") { request, context in try await setDisabled(true, request, context) }
        definitions.post("{id}/enable") { request, context in try await setDisabled(false, request, context) }
        definitions.delete("{id}/draft", use: deleteDraft)
        definitions.answerMethodNotAllowed()
    }

    /// `PUT /v1/workflow-definitions/{id}?newVersion=&overwrite=`: validates the whole body (422
    /// with every problem), then saves the draft or publishes. `isDraft` (default `true`) and
    /// `?newVersion` must agree when both are given. 201 when the id is new, else 200.
    @Sendable func save(_ request: Request, context: APIRequestContext) async throws -> Response {
        let tenantId = try context.tenantId()
        let id = try Self.definitionId(context)
        let query = request.uri.queryParameters
        let newVersion = try Self.boolean(query["newVersion"].map(String.init), name: "newVersion")
        let overwrite = try Self.boolean(query["overwrite"].map(String.init), name: "overwrite") ?? true
        let body = try await JSONBody.read(request, context: context)

        var errors: [FieldError] = []
        var definition: WorkflowDefinition?
        do { definition = try WorkflowDefinition(parsing: body, rules: rules) } catch { errors = error.errors }
        if let bodyId = body["id"], bodyId != .string(id) {
            errors.append(FieldError(property: "/id", message: "must match the id in the path, \(id)"))
        }
        var isDraft = true
        switch body["isDraft"] {
        case .bool(let flag)?: isDraft = flag
        case nil, .null?: isDraft = newVersion.map { !$0 } ?? true
        case let other?: errors.append(FieldError(property: "/isDraft", message: "must be a boolean, got \(other.typeName)"))
        }
        if let newVersion, newVersion == isDraft {
            errors.append(FieldError(property: "/isDraft", message: "contradicts ?newVersion=\(newVersion)"))
        }
        guard errors.isEmpty, let definition else { throw ValidationFailed(errors) }

        let result = try await save(definition, id: id, isDraft: isDraft, overwrite: overwrite, request, context)
        return .json(result.saved.representation, status: result.createdDefinition ? .created : .ok)
    }

    /// Saves a validated definition as the draft or as a new published version, recording the
    /// actor and the request's `X-Channel`.
    func save(
        _ definition: WorkflowDefinition, id: String, isDraft: Bool, overwrite: Bool, _ request: Request, _ context: APIRequestContext
    ) async throws -> DefinitionSave {
        let tenantId = try context.tenantId()
        let actor = context.actor(request)
        let result =
            isDraft
            ? try await store.saveDraft(
                tenantId: tenantId, id: id, content: definition.document, hash: definition.hash, actor: actor, channel: request.channel,
                overwrite: overwrite)
            : try await store.publish(
                tenantId: tenantId, id: id, content: definition.document, hash: definition.hash, actor: actor, channel: request.channel,
                overwrite: overwrite)
        context.logger.info(
            "workflow definition saved",
            metadata: ["definition_id": .string(id), "version": .stringConvertible(result.saved.version), "new_version": .stringConvertible(result.wroteVersion)])
        return result
    }

    /// `GET /v1/workflow-definitions/{id}?version=N|latest|draft` (default: the latest published
    /// version, else the draft).
    @Sendable func get(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try Self.definitionId(context)
        let selector: VersionSelector
        switch request.uri.queryParameters["version"].map(String.init) {
        case nil: selector = .current
        case "latest": selector = .latest
        case "draft": selector = .draft
        case let text?:
            guard let number = Int(text), number >= 1 || number == DefinitionVersion.draft else {
                throw Problem.badRequest("version must be a positive integer, latest or draft")
            }
            selector = number == DefinitionVersion.draft ? .draft : .number(number)
        }
        guard let found = try await store.findDefinition(tenantId: try context.tenantId(), id: id, selector: selector) else {
            throw Problem.notFound("no workflow definition \(id)\(selector == .current ? "" : " at version \(request.uri.queryParameters["version"] ?? "")")")
        }
        return .json(found.representation)
    }

    /// `GET /v1/workflow-definitions?tag=`: definitions in id order, each at its current version.
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let page = try Pagination.pageRequest(from: request)
        let tag = request.uri.queryParameters["tag"].map(String.init)
        let result = try await store.listDefinitions(tenantId: try context.tenantId(), tag: tag, page: page)
        return Pagination.response(result, id: \.definitionId, representation: \.representation)
    }

    /// `GET /v1/workflow-definitions/{id}/versions`: published versions, newest first.
    @Sendable func versions(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try Self.definitionId(context)
        let page = try Pagination.pageRequest(from: request)
        if let before = page.beforeId, Int(before) == nil { throw Problem.badRequest("cursor is not a cursor this API returned") }
        guard let result = try await store.listVersions(tenantId: try context.tenantId(), id: id, page: page) else {
            throw Problem.notFound("no workflow definition \(id)")
        }
        return Pagination.response(result, id: { String($0.version) }, representation: \.versionSummary)
    }

    /// `POST /v1/workflow-definitions/{id}/publish`: the draft becomes version N+1 (or, when its
    /// content equals the latest version, is dropped in favour of it). 409 without a draft. The
    /// draft is validated again as a save would (a draft saved by an earlier release may fail
    /// checks added since): 422 with pointers into the draft's content.
    @Sendable func publish(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try Self.definitionId(context)
        if let draft = try await store.findDefinition(tenantId: try context.tenantId(), id: id, selector: .draft) {
            do { _ = try WorkflowDefinition(parsing: draft.content, rules: rules) } catch {
                throw Problem(
                    .unprocessableContent, "validation-failed",
                    "the draft has \(error.errors.count == 1 ? "1 problem" : "\(error.errors.count) problems") (pointers into the draft); save a corrected draft with PUT",
                    errors: error.errors)
            }
        }
        guard let result = try await store.publishDraft(
                tenantId: try context.tenantId(), id: id, actor: context.actor(request), channel: request.channel) else {
            throw Problem.notFound("no workflow definition \(id)")
        }
        return .json(result.saved.representation)
    }

    func setDisabled(_ disabled: Bool, _ request: Request, _ context: APIRequestContext) async throws -> Response {
        let id = try Self.definitionId(context)
        guard
            let current = try await store.setDisabled(
                tenantId: try context.tenantId(), id: id, disabled: disabled, actor: context.actor(request))
        else { throw Problem.notFound("no workflow definition \(id)") }
        return .json(current.representation)
    }

    @Sendable func deleteDraft(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try Self.definitionId(context)
        switch try await store.deleteDraft(tenantId: try context.tenantId(), id: id) {
        case nil: throw Problem.notFound("no workflow definition \(id)")
        case false?: throw Problem.notFound("workflow definition \(id) has no draft")
        case true?: return Response(status: .noContent)
        }
    }

    static func definitionId(_ context: APIRequestContext) throws -> String {
        let id = try context.parameters.require("id")
        guard DefinitionID.isValid(id) else {
            throw Problem.badRequest("a workflow definition id is 1–128 letters, digits, '-', '_' or '.'")
        }
        return id
    }

    static func boolean(_ text: String?, name: String) throws -> Bool? {
        switch text {
        case nil: nil
        case "true": true
        case "false": false
        default: throw Problem.badRequest("\(name) must be true or false")
        }
    }
}

extension APIRequestContext {
    /// Who is acting, for `createdBy`/`updatedBy`: `X-Username` (trimmed, at most 128
    /// characters) or else the API key's name.
    func actor(_ request: Request) -> String {
        if let name = request.headers[.xUsername]?.trimmingCharacters(in: .whitespaces), !name.isEmpty {
            return String(name.prefix(128))
        }
        return apiKey?.name ?? "unknown"
    }
}

extension HTTPField.Name {
    static let xUsername = HTTPField.Name("X-Username")!
}
