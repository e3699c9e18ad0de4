import CaseworkerCore
import CaseworkerStore
import Foundation
import Hummingbird

/// `/v1/tasks` (scope `tasks:work`): external workers take the tasks of `task` steps
/// (`WorkerTask`) and report their results. A worker sees only its key's tenant's tasks; the
/// worker's name is its key's name, recorded on every lease.
struct TaskRoutes {
    let store: any Store

    /// The longest long poll.
    static let maxWaitSeconds = 60
    /// The most queues one poll names.
    static let maxQueues = 16

    func register(on v1: ResourceGroups) {
        let tasks = v1.group("tasks", scope: .tasks)
        tasks.post("poll", use: poll)
        tasks.post("{id}/heartbeat", use: heartbeat)
        tasks.post("{id}/complete", use: complete)
        tasks.post("{id}/fail", use: fail)
        tasks.answerMethodNotAllowed()
    }

    /// `POST /v1/tasks/poll {queues, waitSeconds?}`: leases the oldest waiting task of `queues`
    /// (200 with the lease), waiting up to `waitSeconds` (0–60, default 0) for one; 204 when none
    /// came. The wait holds no connection to the database; a task queued meanwhile answers at
    /// once, a lease that expires meanwhile within a second.
    @Sendable func poll(_ request: Request, context: APIRequestContext) async throws -> Response {
        let tenantId = try context.tenantId()
        let body = try PollBody(from: try await JSONBody.read(request, context: context))
        let worker = context.apiKey?.name ?? "worker"
        let deadline = ContinuousClock.now + .seconds(body.waitSeconds)
        let key = StoreSignals.taskQueueKey(tenantId: tenantId)
        var lease = try await store.pollTask(tenantId: tenantId, queues: body.queues, worker: worker)
        while lease == nil, ContinuousClock.now < deadline, !store.signals.runChanges.isClosed {
            try await store.signals.runChanges.wait(for: key, timeout: min(.seconds(1), deadline - ContinuousClock.now)) {
                lease = try await store.pollTask(tenantId: tenantId, queues: body.queues, worker: worker)
                return lease != nil
            }
        }
        guard let lease else { return Response(status: .noContent) }
        context.logger.info(
            "task leased",
            metadata: ["task_id": .string(lease.task.id), "run_id": .string(lease.task.runId), "attempt": .stringConvertible(lease.attempt)])
        return .json(lease.representation)
    }

    /// `POST /v1/tasks/{id}/heartbeat` (no body): extends the lease by the task's
    /// `heartbeatSeconds`. 200 with the lease; 404 for an unknown lease; 409 when it was lost.
    @Sendable func heartbeat(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard let lease = try await store.heartbeatTask(tenantId: try context.tenantId(), leaseId: id) else {
            throw Problem.notFound("no task lease \(id)")
        }
        return .json(lease.representation)
    }

    /// `POST /v1/tasks/{id}/complete {output?}`: the task's step ends `OK` with `output`.
    @Sendable func complete(_ request: Request, context: APIRequestContext) async throws -> Response {
        let body = try await JSONBody.read(request, context: context)
        let members = try body.requireObject()
        try Self.refuseUnknown(members, allowed: ["output"])
        let output = members["output"] ?? .null
        // Refused here, lease intact, rather than accepted and failing the step.
        if let violation = context.valueLimits.violation(of: output) {
            throw ValidationFailed([FieldError(property: "/output", message: "\(violation) (limits.maxValueBytes, limits.maxValueDepth)")])
        }
        return try await finish(.completed(output: output), request, context)
    }

    /// `POST /v1/tasks/{id}/fail {code, message, retryable?}`: the task's step ends `KO` with
    /// `code`, retried under the step's retry policy when `retryable` (default `false`).
    @Sendable func fail(_ request: Request, context: APIRequestContext) async throws -> Response {
        let members = try (try await JSONBody.read(request, context: context)).requireObject()
        try Self.refuseUnknown(members, allowed: ["code", "message", "retryable"])
        var errors: [FieldError] = []
        let code = members["code"]?.stringValue
        if code.map({ !Identifier.matches($0, maxLength: 64) }) ?? true {
            errors.append(FieldError(property: "/code", message: "must be 1–64 letters, digits, '.', '_' or '-'"))
        }
        let message = members["message"]?.stringValue
        if message.map({ !(1...4096).contains($0.count) }) ?? true {
            errors.append(FieldError(property: "/message", message: "must be a string of 1–4096 characters"))
        }
        var retryable = false
        switch members["retryable"] {
        case nil, .null?: break
        case .bool(let flag)?: retryable = flag
        case let other?: errors.append(FieldError(property: "/retryable", message: "must be a boolean, got \(other.typeName)"))
        }
        guard errors.isEmpty, let code, let message else { throw ValidationFailed(errors) }
        return try await finish(.failed(code: code, message: message, retryable: retryable), request, context)
    }

    private func finish(_ result: WorkerTaskResult, _ request: Request, _ context: APIRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard let lease = try await store.finishTask(tenantId: try context.tenantId(), leaseId: id, result: result) else {
            throw Problem.notFound("no task lease \(id)")
        }
        let status = if case .completed = result { "COMPLETED" } else { "FAILED" }
        context.logger.info("task finished", metadata: ["task_id": .string(lease.task.id), "status": .string(status)])
        return .json(["id": .string(lease.id), "taskId": .string(lease.task.id), "status": .string(status)])
    }

    private static func refuseUnknown(_ members: [String: JSONValue], allowed: Set<String>) throws {
        let unknown = members.keys.sorted().filter { !allowed.contains($0) }
        guard unknown.isEmpty else {
            throw ValidationFailed(unknown.map { FieldError(property: JSONPointer.appending($0, to: ""), message: "is not a member of this body") })
        }
    }

    /// A checked poll body: `queues` (1–16 queue names), `waitSeconds` (0–60, default 0).
    struct PollBody {
        var queues: [String]
        var waitSeconds: Int

        init(from body: JSONValue) throws(ValidationFailed) {
            let members = try body.requireObject()
            var errors: [FieldError] = []
            for key in members.keys.sorted() where key != "queues" && key != "waitSeconds" {
                errors.append(FieldError(property: JSONPointer.appending(key, to: ""), message: "is not a poll member"))
            }
            queues = []
            if let list = members["queues"]?.arrayValue, (1...TaskRoutes.maxQueues).contains(list.count) {
                for (index, value) in list.enumerated() {
                    if let name = value.stringValue, WorkerTask.isValidQueue(name) {
                        if !queues.contains(name) { queues.append(name) }
                    } else {
                        errors.append(FieldError(property: "/queues/\(index)", message: "must be a queue name: 1–48 letters, digits, '.', '_' or '-'"))
                    }
                }
            } else {
                errors.append(FieldError(property: "/queues", message: "must be an array of 1–\(TaskRoutes.maxQueues) queue names"))
            }
            waitSeconds = 0
            switch members["waitSeconds"] {
            case nil, .null?: break
            case let value?:
                if let seconds = value.intValue, (0...TaskRoutes.maxWaitSeconds).contains(seconds) {
                    waitSeconds = seconds
                } else {
                    errors.append(FieldError(property: "/waitSeconds", message: "must be an integer from 0 to \(TaskRoutes.maxWaitSeconds)"))
                }
            }
            if !errors.isEmpty { throw ValidationFailed(errors) }
        }
    }
}

extension WorkerTaskLease {
    /// The answer of a poll and of a heartbeat.
    var representation: JSONValue {
        [
            "id": .string(id), "taskId": .string(task.id), "queue": .string(task.queue), "runId": .string(task.runId),
            "caseId": .string(task.caseId), "stepId": .string(task.stepId), "attempt": .int(attempt), "input": task.input,
            "worker": .string(worker), "leaseExpiresAt": .string(Timestamp.rfc3339(expiresAt)),
            "deadline": .string(Timestamp.rfc3339(task.deadline)),
        ]
    }
}
