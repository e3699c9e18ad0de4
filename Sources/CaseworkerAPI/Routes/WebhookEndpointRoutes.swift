import CaseworkerCore
import CaseworkerStore

import CaseworkerWebhookSigning
import Hummingbird

/// `/v1/webhook-endpoints` (SPEC 3): create, list, get, merge-patch, delete, rotate-secret.
///
/// The secret (`whsec_` + base64 of 24–64 bytes; generated from 32 random bytes when absent) is
/// shown only in the answers of create and rotate-secret.
struct WebhookEndpointRoutes {
    let store: any WebhookEndpointStore

    /// The longest rotation grace: 30 days.
    static let maxGraceSeconds = 30 * 86400

    func register(on v1: ResourceGroups) {
        let endpoints = v1.group("webhook-endpoints", scope: .webhooks)
        endpoints.post(use: create)
        endpoints.get(use: list)
        endpoints.get("{id}", use: get)
        endpoints.patch("{id}", use: patch)
        endpoints.delete("{id}", use: delete)
        endpoints.post("{id}/rotate-secret", use: rotateSecret)
        endpoints.answerMethodNotAllowed()
    }

    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> Response {
        let tenantId = try context.tenantId()
        let body = try await JSONBody.read(request, context: context)
        var errors: [FieldError] = []
        var parsed: WebhookEndpointInput.Parsed?
        do { parsed = try WebhookEndpointInput.parse(body, allowSecret: true) } catch { errors = error.errors }
        let secret = Self.secret(body["secret"], at: "/secret", errors: &errors)
        guard errors.isEmpty, let parsed else { throw ValidationFailed(errors) }
        let created = try await store.createEndpoint(
            tenantId: tenantId,
            fields: parsed.fields,
            secret: secret.text)
        context.logger.info("webhook endpoint created", metadata: ["endpoint_id": .string(created.id)])
        return .json(created.representationWithSecret, status: .created, headers: [.location: "/v1/webhook-endpoints/\(created.id)"])
    }

    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let page = try Pagination.pageRequest(from: request)
        let result = try await store.listEndpoints(tenantId: try context.tenantId(), page: page)
        return Pagination.response(result, id: \.id, representation: \.representation)
    }

    @Sendable func get(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard let found = try await store.findEndpoint(tenantId: try context.tenantId(), id: id) else {
            throw Problem.notFound("no webhook endpoint with id \(id)")
        }
        return .json(found.representation)
    }

    /// `PATCH`: a JSON merge patch of `{url, description, events, workflowDefinitionIds, enabled}`. Disabling fails the
    /// endpoint's pending deliveries; enabling clears `disabledReason` and `failingSince`.
    @Sendable func patch(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let tenantId = try context.tenantId()
        let patch = try await JSONBody.read(request, context: context)
        _ = try patch.requireObject()
        let updated = try await store.updateEndpoint(tenantId: tenantId, id: id) { current in
            let parsed = try WebhookEndpointInput.patched(current.patchable, with: patch)
            return parsed.fields
        }
        guard let updated else { throw Problem.notFound("no webhook endpoint with id \(id)") }
        context.logger.info("webhook endpoint updated", metadata: ["endpoint_id": .string(id)])
        return .json(updated.representation)
    }

    @Sendable func delete(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard try await store.deleteEndpoint(tenantId: try context.tenantId(), id: id) else {
            throw Problem.notFound("no webhook endpoint with id \(id)")
        }
        context.logger.info("webhook endpoint deleted", metadata: ["endpoint_id": .string(id)])
        return Response(status: .noContent)
    }

    /// `POST .../{id}/rotate-secret {graceSeconds?: 86400, secret?}`: a new current secret (given
    /// or generated); the old one keeps signing for `graceSeconds` (0–30 days). The body may be
    /// omitted.
    @Sendable func rotateSecret(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let tenantId = try context.tenantId()
        let body: JSONValue = request.headers[.contentType] == nil ? [:] : try await JSONBody.read(request, context: context)
        let members = try body.requireObject()
        var errors: [FieldError] = []
        for key in members.keys.sorted() where !["graceSeconds", "secret"].contains(key) {
            errors.append(FieldError(property: JSONPointer.appending(key, to: ""), message: "is not a rotate-secret field"))
        }
        var grace = 86400
        switch members["graceSeconds"] {
        case nil, .null?: break
        case let value?:
            if let seconds = value.intValue, (0...Self.maxGraceSeconds).contains(seconds) {
                grace = seconds
            } else {
                errors.append(FieldError(property: "/graceSeconds", message: "must be an integer from 0 to \(Self.maxGraceSeconds)"))
            }
        }
        let secret = Self.secret(members["secret"], at: "/secret", errors: &errors)
        if !errors.isEmpty { throw ValidationFailed(errors) }
        guard let rotated = try await store.rotateSecret(tenantId: tenantId, id: id, newSecret: secret.text, grace: .seconds(grace)) else {
            throw Problem.notFound("no webhook endpoint with id \(id)")
        }
        context.logger.info("webhook secret rotated", metadata: ["endpoint_id": .string(id), "grace_seconds": .stringConvertible(grace)])
        return .json(rotated.representationWithSecret)
    }

    /// A given secret, parsed; a generated one when absent or `null`. A malformed one adds its
    /// problem to `errors` (and a generated one is returned, to be discarded).
    static func secret(_ value: JSONValue?, at pointer: String, errors: inout [FieldError]) -> WebhookSecret {
        switch value {
        case nil, .null?:
            break
        case .string(let text)?:
            do {
                return try WebhookSecret(text)
            } catch {
                errors.append(FieldError(property: pointer, message: error.description))
            }
        case let other?:
            errors.append(FieldError(property: pointer, message: "must be a string, got \(other.typeName)"))
        }
        return .generate()
    }
}

extension WebhookEndpointInput.Parsed {
    var fields: WebhookEndpointFields {
        WebhookEndpointFields(
            url: url, description: description, events: events, workflowDefinitionIds: workflowDefinitionIds, enabled: enabled)
    }
}
