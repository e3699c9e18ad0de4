import CaseworkerCore
import CaseworkerStore
import Foundation
import HTTPTypes
import Hummingbird

extension RunRoutes {
    /// `POST /v1/workflows/{id}/cancel` (scope `workflows:write`, no body): a `PENDING`, `RUNNING`
    /// or `WAITING` run ends `CANCELLED` at once (error `{code: "cancelled", stepId}`, event
    /// `workflow.cancelled`); a step in flight is abandoned (its result is discarded). 200 with
    /// the run; 404 for an unknown run; 409 once the run is terminal.
    @Sendable func cancel(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard let run = try await store.cancelRun(tenantId: try context.tenantId(), id: id) else {
            throw Problem.notFound("no workflow run \(id)")
        }
        context.logger.info("run cancelled", metadata: ["run_id": .string(run.id), "case_id": .string(run.caseId)])
        return .json(run.representation)
    }

    /// `POST /v1/workflows/{id}/signals/{name}` (scope `workflows:write`) with an optional body
    /// `{payload}`: 202 `{runId, signal, consumed}`. A run `WAITING` for `name` consumes it at once
    /// (`consumed: true`) and resumes with `payload` as the await's output; any other active run
    /// keeps it (`consumed: false`) for its next `await` of `name` (the earliest kept one is
    /// consumed first). 400 for a bad name, 404 for an unknown run, 409 once the run is terminal.
    @Sendable func signal(_ request: Request, context: APIRequestContext) async throws -> Response {
        let tenantId = try context.tenantId()
        let id = try context.parameters.require("id")
        let name = try context.parameters.require("name")
        guard Identifier.matches(name, maxLength: 64) else {
            throw Problem.badRequest("a signal name is 1–64 letters, digits, '.', '_' or '-'")
        }
        let payload = try SignalBody(from: try await Self.optionalJSONBody(request, context: context)).payload
        guard let receipt = try await store.signalRun(tenantId: tenantId, id: id, name: name, payload: payload) else {
            throw Problem.notFound("no workflow run \(id)")
        }
        context.logger.info(
            "signal received", metadata: ["run_id": .string(id), "signal": .string(name), "consumed": .stringConvertible(receipt.consumed)])
        return .json(
            ["runId": .string(receipt.runId), "signal": .string(receipt.signal), "consumed": .bool(receipt.consumed)], status: .accepted)
    }

    /// The JSON body, or `{}` for a request without `Content-Type` and without a body.
    static func optionalJSONBody(_ request: Request, context: APIRequestContext) async throws -> JSONValue {
        guard request.headers[.contentType] == nil else { return try await JSONBody.read(request, context: context) }
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        guard buffer.readableBytes == 0 else {
            throw Problem.unsupportedMediaType("a JSON body needs 'Content-Type: application/json'")
        }
        return .object([:])
    }
}

/// A checked signal body: `{payload?}` (any JSON; absent is `null`).
struct SignalBody {
    var payload: JSONValue

    init(from body: JSONValue) throws(ValidationFailed) {
        let members = try body.requireObject()
        let unknown = members.keys.sorted().filter { $0 != "payload" }
        if !unknown.isEmpty {
            throw ValidationFailed(unknown.map { FieldError(property: JSONPointer.appending($0, to: ""), message: "is not a signal field") })
        }
        payload = members["payload"] ?? .null
    }
}
