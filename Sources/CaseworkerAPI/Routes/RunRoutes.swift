import CaseworkerCore
import CaseworkerStore
import CoreMetrics
import Foundation
import HTTPTypes
import Hummingbird

/// `/v1/workflows` (SPEC 2.7): start runs, read their status (with long polling), result,
/// execution timeline, and list them; cancel them and send them signals (`RunRoutes+Signals`).
struct RunRoutes {
    let store: any RunPlanner.Reads
    /// `caseworker_runs_started_total`: runs stored by `start`.
    let runsStarted: Counter
    let definitions = DefinitionCache()

    static let maxWaitSeconds = 60
    /// `Retry-After` of a result asked for before the run ended.
    static let resultRetryAfterSeconds = 2

    func register(on v1: ResourceGroups) {
        let runs = v1.group("workflows", scope: .workflows)
        runs.post("run", use: start)
        runs.get(use: list)
        runs.get("{id}", use: status)
        runs.get("{id}/result", use: result)
        runs.get("{id}/execution", use: execution)
        runs.post("{id}/cancel", use: cancel)
        runs.post("{id}/signals/{name}", use: signal)
        runs.post("{id}/retry", use: retry)
        runs.answerMethodNotAllowed()
    }

    /// `POST /v1/workflows/run`: plans the run (`RunPlanner`: the case, the definition version,
    /// latest published or the given one, the parameter set, the enforced input schema, the
    /// limits and the rate-limit key), then stores it `PENDING` and answers 201 at once. The
    /// engine picks it up when the insert commits.
    @Sendable func start(_ request: Request, context: APIRequestContext) async throws -> Response {
        let tenantId = try context.tenantId()
        let body = try RunStartBody(from: try await JSONBody.read(request, context: context))

        let planner = RunPlanner(store: store, definitions: definitions, limits: context.valueLimits)
        let channel = request.channel
        let now = Date()
        let new = try await planner.resolve(
            tenantId: tenantId, caseId: body.caseId, definitionId: body.workflowDefinitionId, version: body.version,
            parametersId: body.parametersId
        ).flatMap {
            $0.plan(id: store.ids.next(at: now), input: body.input, correlationId: body.correlationId, channel: channel, now: now)
        }.get()
        let run = try await store.startRun(new)
        runsStarted.increment()
        context.logger.info("run started", metadata: ["run_id": .string(run.id), "case_id": .string(run.caseId)])
        return .json(run.startRepresentation, status: .created, headers: [.location: "/v1/workflows/\(run.id)"])
    }

    /// `GET /v1/workflows/{id}?waitSeconds=N&unlessStatus=S`: with `waitSeconds` (at most 60),
    /// answers as soon as the status differs from `unlessStatus` (default: the status when the
    /// request arrived), or after N seconds with the current state; a finished run answers at once. Waiting holds no database
    /// connection: the request sleeps on the store's change feed.
    @Sendable func status(_ request: Request, context: APIRequestContext) async throws -> Response {
        let tenantId = try context.tenantId()
        let id = try context.parameters.require("id")
        let query = request.uri.queryParameters
        var waitSeconds = 0
        if let text = query["waitSeconds"] {
            guard let value = Int(String(text)), (0...Self.maxWaitSeconds).contains(value) else {
                throw Problem.badRequest("waitSeconds must be an integer from 0 to \(Self.maxWaitSeconds)")
            }
            waitSeconds = value
        }
        var unless: RunStatus?
        if let text = query["unlessStatus"] {
            guard let status = RunStatus(rawValue: String(text)) else {
                throw Problem.badRequest("unlessStatus must be one of \(RunStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            unless = status
        }
        guard var run = try await store.findRun(tenantId: tenantId, id: id) else { throw Problem.notFound("no workflow run \(id)") }
        // A terminal run never changes again: answer at once.
        if waitSeconds > 0, !run.status.isTerminal {
            let awaited = unless ?? run.status
            let feed = store.signals.runChanges
            let deadline = ContinuousClock.now + .seconds(waitSeconds)
            // A change of the run is not always a change of its status: wait again until the status
            // differs, the time is up, or the server shuts down (which closes the feed).
            while run.status == awaited, !feed.isClosed {
                let remaining = deadline - ContinuousClock.now
                guard remaining > .zero else { break }
                try await feed.wait(for: id, timeout: remaining) {
                    guard let current = try await store.findRun(tenantId: tenantId, id: id) else { return true }
                    run = current
                    return current.status != awaited
                }
                run = try await store.findRun(tenantId: tenantId, id: id) ?? run
            }
        }
        return .json(run.representation(place: try await store.rateLimitPlace(of: run)))
    }

    /// `GET /v1/workflows/{id}/result`: 200 once the run has ended, else 409 with `Retry-After`.
    @Sendable func result(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard let run = try await store.findRun(tenantId: try context.tenantId(), id: id) else {
            throw Problem.notFound("no workflow run \(id)")
        }
        guard run.status.isTerminal else {
            var problem = Problem.conflict(
                "run \(id) is \(run.status.rawValue); its result exists once it ends (long-poll GET /v1/workflows/\(id)?waitSeconds=)")
            problem.headers[.retryAfter] = String(Self.resultRetryAfterSeconds)
            throw problem
        }
        return .json(run.resultRepresentation)
    }

    /// `GET /v1/workflows/{id}/execution`: every attempt as a task, the branch links and what
    /// runs next.
    @Sendable func execution(_ request: Request, context: APIRequestContext) async throws -> Response {
        let tenantId = try context.tenantId()
        let id = try context.parameters.require("id")
        guard let (run, tasks) = try await store.runExecution(tenantId: tenantId, runId: id) else {
            throw Problem.notFound("no workflow run \(id)")
        }
        let branches = try await store.branchExecutions(tenantId: tenantId, runId: id)
        return .json(run.executionRepresentation(tasks: tasks, branches: branches, place: try await store.rateLimitPlace(of: run)))
    }

    /// `GET /v1/workflows?status=&caseId=&workflowDefinitionId=&createdAfter=&limit=&cursor=`.
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        var filter = RunFilter()
        if let text = query["status"] {
            guard let status = RunStatus(rawValue: String(text)) else {
                throw Problem.badRequest("status must be one of \(RunStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            filter.status = status
        }
        filter.caseId = query["caseId"].map(String.init)
        filter.workflowDefinitionId = query["workflowDefinitionId"].map(String.init)
        if let text = query["createdAfter"] {
            guard let date = Timestamp.parse(String(text)) else { throw Problem.badRequest("createdAfter must be an RFC 3339 time") }
            filter.createdAfter = date
        }
        let page = try Pagination.pageRequest(from: request)
        let result = try await store.listRuns(tenantId: try context.tenantId(), filter: filter, page: page)
        return Pagination.response(result, id: \.id, representation: \.representation)
    }
}

/// A checked `POST /v1/workflows/run` body.
struct RunStartBody {
    var caseId: String
    var workflowDefinitionId: String
    var parametersId: String?
    var version: Int?
    var input: JSONValue
    var correlationId: String?

    init(from body: JSONValue) throws(ValidationFailed) {
        let members = try body.requireObject()
        var errors: [FieldError] = []
        let known: Set<String> = ["caseId", "workflowDefinitionId", "parametersId", "version", "input", "correlationId"]
        for key in members.keys.sorted() where !known.contains(key) {
            errors.append(FieldError(property: JSONPointer.appending(key, to: ""), message: "is not a run field"))
        }
        func string(_ key: String, required: Bool, maxLength: Int) -> String? {
            switch members[key] {
            case nil, .null?:
                if required { errors.append(FieldError(property: "/\(key)", message: "is required")) }
                return nil
            case .string(let text)? where (1...maxLength).contains(text.codePointCount):
                return text
            case .string?:
                errors.append(FieldError(property: "/\(key)", message: "must be 1–\(maxLength) characters"))
                return nil
            case let other?:
                errors.append(FieldError(property: "/\(key)", message: "must be a string, got \(other.typeName)"))
                return nil
            }
        }
        let caseId = string("caseId", required: true, maxLength: 128)
        let definitionId = string("workflowDefinitionId", required: true, maxLength: 128)
        if let definitionId, !DefinitionID.isValid(definitionId) {
            errors.append(FieldError(property: "/workflowDefinitionId", message: "must be 1–128 letters, digits, '-', '_' or '.'"))
        }
        parametersId = string("parametersId", required: false, maxLength: 128)
        correlationId = string("correlationId", required: false, maxLength: 256)
        switch members["version"] {
        case nil, .null?: version = nil
        case let value? where value.intValue.map({ $0 >= 1 }) == true: version = value.intValue
        case _?:
            version = nil
            errors.append(FieldError(property: "/version", message: "must be a positive integer"))
        }
        input = members["input"].flatMap { $0.isNull ? nil : $0 } ?? .object([:])
        if !errors.isEmpty { throw ValidationFailed(errors) }
        self.caseId = caseId!
        self.workflowDefinitionId = definitionId!
    }
}

extension HTTPField.Name {
    static let xChannel = HTTPField.Name("X-Channel")!
}

extension Request {
    /// `X-Channel` (SPEC 2.1): who made the request (an app, a form, an import), recorded on the
    /// runs and definition versions it writes; at most 64 characters, `nil` when absent or empty.
    var channel: String? {
        guard let text = headers[.xChannel]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        return text.prefix(codePoints: 64)
    }
}
