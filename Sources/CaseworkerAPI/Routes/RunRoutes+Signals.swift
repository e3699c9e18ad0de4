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
    /// consumed first). 400 for a bad name, 404 for an unknown run; 409 once the run is terminal,
    /// and 409 when no `await` step of the run's definition version can wait for `name` (one
    /// naming it, or one whose signal is a template): such a signal could never be consumed.
    @Sendable func signal(_ request: Request, context: APIRequestContext) async throws -> Response {
        let tenantId = try context.tenantId()
        let id = try context.parameters.require("id")
        let name = try context.parameters.require("name")
        guard Identifier.matches(name, maxLength: 64) else {
            throw Problem.badRequest("a signal name is 1–64 letters, digits, '.', '_' or '-'")
        }
        let payload = try SignalBody(from: try await Self.optionalJSONBody(request, context: context)).payload
        guard let run = try await store.findRun(tenantId: tenantId, id: id) else { throw Problem.notFound("no workflow run \(id)") }
        let versionId = run.versionId
        let definition = try await definitions.definition(versionId: versionId) { try await store.definitionContent(versionId: versionId) }
        guard definition.awaitsSignal(name) else {
            throw Problem.conflict(
                "run \(id) never waits for signal '\(name)': no await step of \(run.workflowDefinitionId) version \(run.version) waits for it")
        }
        guard let receipt = try await store.signalRun(tenantId: tenantId, id: id, name: name, payload: payload) else {
            throw Problem.notFound("no workflow run \(id)")
        }
        context.logger.info(
            "signal received", metadata: ["run_id": .string(id), "signal": .string(name), "consumed": .stringConvertible(receipt.consumed)])
        return .json(
            ["runId": .string(receipt.runId), "signal": .string(receipt.signal), "consumed": .bool(receipt.consumed)], status: .accepted)
    }

    /// `POST /v1/workflows/{id}/retry` (scope `workflows:write`, no body): a `FAILED` or
    /// `TIMED_OUT` run restarts at its failed step (`error.stepId`): 200 with the run, now
    /// `PENDING` (it queues behind its rate limit like a new run), attempt counts from 1, its
    /// tasks and state kept. 404 for an unknown run; 409 for any other status, for a run whose
    /// error names no step or a rescue step, and for a run of an erased case.
    @Sendable func retry(_ request: Request, context: APIRequestContext) async throws -> Response {
        let tenantId = try context.tenantId()
        let id = try context.parameters.require("id")
        guard let run = try await store.findRun(tenantId: tenantId, id: id) else { throw Problem.notFound("no workflow run \(id)") }
        guard run.status == .failed || run.status == .timedOut else {
            throw Problem.conflict("run \(id) is \(run.status.rawValue); only FAILED and TIMED_OUT runs can be retried")
        }
        if let caseRecord = try await store.findCase(tenantId: tenantId, id: run.caseId), caseRecord.isErased {
            throw Problem.conflict("the case of run \(id) is erased")
        }
        let versionId = run.versionId
        let definition = try await definitions.definition(versionId: versionId) { try await store.definitionContent(versionId: versionId) }
        guard let stepId = run.error?.stepId, definition.graph.flow(of: stepId) == .main else {
            throw Problem.conflict(
                "run \(id) did not fail at a step of its main flow\(run.error?.stepId.map { " (it failed at \($0))" } ?? ""); it cannot be retried")
        }
        guard let retried = try await store.retryRun(tenantId: tenantId, id: id, fromStepId: stepId) else {
            throw Problem.notFound("no workflow run \(id)")
        }
        context.logger.info("run retried", metadata: ["run_id": .string(id), "case_id": .string(run.caseId), "step": .string(stepId)])
        return .json(retried.representation)
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
