import Foundation
import HTTPTypes
import OpenAPIAsyncHTTPClient
import OpenAPIRuntime

/// A client of the Caseworker API for a backend: the flow most integrations need in four calls
/// (`createCase`, `startRun`, `waitForResult`, and `WebhookVerifier.event` on the receiving
/// side), and `api`, the client generated from `docs/openapi.yaml`, for everything else.
///
/// ```swift
/// let caseworker = Caseworker(serverURL: URL(string: "http://127.0.0.1:8080")!, apiKey: key)
/// let person = try await caseworker.createCase(.init(externalId: "crm-4411", lastName: "Lovelace"))
/// let run = try await caseworker.startRun(.init(caseId: person.id, workflowDefinitionId: "quick-check"))
/// let result = try await caseworker.waitForResult(runId: run.id, timeout: .seconds(60))
/// ```
///
/// Every call sends `Authorization: Bearer <apiKey>`. A problem answer of the daemon is thrown
/// as `CaseworkerError.problem` by the convenience calls; through `api`, it is the operation's
/// documented output case (`.notFound(...)`, ...), as the generator makes it. Timestamps are read
/// with fractional seconds (the API writes milliseconds).
public struct Caseworker: Sendable {
    /// The client generated from the API document: one method per operation.
    public let api: Client

    /// The longest single long poll `waitForResult` asks for. The API allows 60 s; 30 s stays well
    /// inside the transport's timeout (AsyncHTTPClientTransport's default is one minute).
    public static let longPollSeconds = 30

    /// A client of the daemon at `serverURL` (e.g. `http://127.0.0.1:8080`; the API's paths
    /// start with `/v1`, so no path is needed), authenticated with `apiKey` (`cwk_...`).
    ///
    /// - Parameter transport: how requests are sent; by default AsyncHTTPClient's shared
    ///   client with a one-minute timeout per request.
    public init(serverURL: URL, apiKey: String, transport: any ClientTransport = AsyncHTTPClientTransport()) {
        api = Client(
            serverURL: serverURL, configuration: Configuration(dateTranscoder: .iso8601WithFractionalSeconds), transport: transport,
            middlewares: [BearerAuthentication(apiKey: apiKey)])
    }

    /// Registers a case (`POST /v1/cases`). Every member of `input` is optional.
    ///
    /// - Parameter idempotencyKey: makes the call safe to retry: a retry with the same key and
    ///   input gets the first answer again instead of a second case.
    /// - Throws: `CaseworkerError.problem`: 409 `conflict` for a taken `externalId`, 422
    ///   `validation-failed` with every invalid member.
    public func createCase(_ input: Components.Schemas.CaseInput, idempotencyKey: String? = nil) async throws -> Components.Schemas.Case {
        switch try await api.createCase(headers: .init(idempotencyKey: idempotencyKey), body: .json(input)) {
        case .created(let created): return try created.body.json
        case .badRequest(let answer): throw try CaseworkerError.answered(answer)
        case .unauthorized(let answer): throw try CaseworkerError.answered(answer)
        case .forbidden(let answer): throw try CaseworkerError.answered(answer)
        case .conflict(let answer): throw try CaseworkerError.answered(answer)
        case .contentTooLarge(let answer): throw try CaseworkerError.answered(answer)
        case .unsupportedMediaType(let answer): throw try CaseworkerError.answered(answer)
        case .unprocessableContent(let answer): throw try CaseworkerError.answered(answer)
        case .internalServerError(let answer): throw try CaseworkerError.answered(answer)
        case .undocumented(let status, _): throw CaseworkerError.undocumentedStatus(status)
        }
    }

    /// Starts a run of a published workflow definition for a case (`POST /v1/workflows/run`). The
    /// answer comes at once, with the run `PENDING`; the daemon executes it in the background.
    ///
    /// - Parameter idempotencyKey: makes the call safe to retry: a retry with the same key and
    ///   input gets the first answer again, and starts no second run.
    /// - Throws: `CaseworkerError.problem`: 404 naming the unknown case, definition, version or
    ///   parameter set; 409 for an erased case or a definition that is disabled or has no
    ///   published version; 422 for an invalid body or an `input` refused by the definition.
    public func startRun(_ start: Components.Schemas.RunStart, idempotencyKey: String? = nil) async throws
        -> Components.Schemas.RunStartResponse
    {
        switch try await api.startWorkflowRun(headers: .init(idempotencyKey: idempotencyKey), body: .json(start)) {
        case .created(let created): return try created.body.json
        case .badRequest(let answer): throw try CaseworkerError.answered(answer)
        case .unauthorized(let answer): throw try CaseworkerError.answered(answer)
        case .forbidden(let answer): throw try CaseworkerError.answered(answer)
        case .notFound(let answer): throw try CaseworkerError.answered(answer)
        case .conflict(let answer): throw try CaseworkerError.answered(answer)
        case .contentTooLarge(let answer): throw try CaseworkerError.answered(answer)
        case .unsupportedMediaType(let answer): throw try CaseworkerError.answered(answer)
        case .unprocessableContent(let answer): throw try CaseworkerError.answered(answer)
        case .internalServerError(let answer): throw try CaseworkerError.answered(answer)
        case .undocumented(let status, _): throw CaseworkerError.undocumentedStatus(status)
        }
    }

    /// The run's current state (`GET /v1/workflows/{id}`). With `waitSeconds` (0–60) this is a
    /// long poll: the answer comes as soon as the status differs from `unlessStatus` (default:
    /// the status when the request arrived), or after `waitSeconds` with the current state.
    public func run(id: String, waitSeconds: Int? = nil, unlessStatus: Components.Schemas.RunStatus? = nil) async throws
        -> Components.Schemas.Run
    {
        switch try await api.getWorkflowRun(path: .init(id: id), query: .init(waitSeconds: waitSeconds, unlessStatus: unlessStatus)) {
        case .ok(let ok): return try ok.body.json
        case .badRequest(let answer): throw try CaseworkerError.answered(answer)
        case .unauthorized(let answer): throw try CaseworkerError.answered(answer)
        case .forbidden(let answer): throw try CaseworkerError.answered(answer)
        case .notFound(let answer): throw try CaseworkerError.answered(answer)
        case .methodNotAllowed(let answer): throw try CaseworkerError.answered(answer)
        case .internalServerError(let answer): throw try CaseworkerError.answered(answer)
        case .undocumented(let status, _): throw CaseworkerError.undocumentedStatus(status)
        }
    }

    /// Waits until the run has ended, then returns its result (`GET /v1/workflows/{id}/result`):
    /// `status` is terminal, `result` the definition's output for a `COMPLETED` run, `error` why
    /// it failed otherwise.
    ///
    /// Waits by long polling (`run(id:waitSeconds:unlessStatus:)`, at most `longPollSeconds` per
    /// request), so it costs a request per status change, not a poll per second; a finished run
    /// answers at once. The run is never cancelled by this call.
    ///
    /// - Parameter timeout: how long to wait in all (the deadline is checked between requests,
    ///   so the call may return up to one request's latency after it).
    /// - Throws: `CaseworkerError.deadlineExceeded` when the run has not ended by the deadline;
    ///   `CaseworkerError.problem` (404) for an unknown run.
    public func waitForResult(runId: String, timeout: Duration) async throws -> Components.Schemas.RunResult {
        let deadline = ContinuousClock.now + timeout
        var status: Components.Schemas.RunStatus?
        while true {
            let remaining = deadline - ContinuousClock.now
            let current = try await run(id: runId, waitSeconds: Self.waitSeconds(for: remaining), unlessStatus: status)
            if current.status.isTerminal { break }
            status = current.status
            guard ContinuousClock.now < deadline else { throw CaseworkerError.deadlineExceeded(runId: runId, status: current.status) }
        }
        switch try await api.getWorkflowRunResult(path: .init(id: runId)) {
        case .ok(let ok): return try ok.body.json
        case .unauthorized(let answer): throw try CaseworkerError.answered(answer)
        case .forbidden(let answer): throw try CaseworkerError.answered(answer)
        case .notFound(let answer): throw try CaseworkerError.answered(answer)
        case .conflict(let answer): throw try CaseworkerError.answered(answer)
        case .internalServerError(let answer): throw try CaseworkerError.answered(answer)
        case .undocumented(let status, _): throw CaseworkerError.undocumentedStatus(status)
        }
    }

    /// The `waitSeconds` of the next long poll with `remaining` time to the deadline: whole
    /// seconds, rounded up, between 0 and `longPollSeconds`.
    static func waitSeconds(for remaining: Duration) -> Int {
        guard remaining > .zero else { return 0 }
        let (seconds, attoseconds) = remaining.components
        return Int(min(Int64(longPollSeconds), seconds + (attoseconds > 0 ? 1 : 0)))
    }
}

extension Components.Schemas.RunStatus {
    /// `COMPLETED`, `FAILED`, `TIMED_OUT` and `CANCELLED`: the run will not change again (except
    /// by `POST /v1/workflows/{id}/retry`).
    public var isTerminal: Bool {
        switch self {
        case .completed, .failed, .timedOut, .cancelled: true
        case .pending, .running, .waiting: false
        }
    }
}

/// Adds `Authorization: Bearer <api key>` to every request.
struct BearerAuthentication: ClientMiddleware {
    let apiKey: String

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        request.headerFields[.authorization] = "Bearer \(apiKey)"
        return try await next(request, body, baseURL)
    }
}
