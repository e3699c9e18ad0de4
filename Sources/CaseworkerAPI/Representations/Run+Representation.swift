import CaseworkerCore
import CaseworkerStore

extension Run {
    /// A run in lists: `waitingFor.rateLimit` without the queue position.
    var representation: JSONValue { representation(place: nil) }

    /// `GET /v1/workflows/{id}`, with the run's `place` in its rate-limit queue when it is
    /// `PENDING` behind one.
    func representation(place: RateLimitPlace?) -> JSONValue {
        [
            "id": .string(id), "caseId": .string(caseId), "workflowDefinitionId": .string(workflowDefinitionId),
            "version": .int(version), "parametersId": parametersId.map(JSONValue.string) ?? .null,
            "status": .string(status.rawValue), "currentStepId": currentStepId.map(JSONValue.string) ?? .null,
            "correlationId": correlationId.map(JSONValue.string) ?? .null, "channel": channel.map(JSONValue.string) ?? .null,
            "createdAt": .string(Timestamp.rfc3339(createdAt)), "startedAt": startedAt.map { .string(Timestamp.rfc3339($0)) } ?? .null,
            "finishedAt": finishedAt.map { .string(Timestamp.rfc3339($0)) } ?? .null, "error": error?.json ?? .null,
            "waitingFor": waitingFor(place: place),
            "parentRunId": parentRunId.map(JSONValue.string) ?? .null,
            "failureOfRunId": failureOfRunId.map(JSONValue.string) ?? .null,
        ]
    }

    /// `POST /v1/workflows/run` answers this short form.
    var startRepresentation: JSONValue {
        [
            "id": .string(id), "caseId": .string(caseId), "workflowDefinitionId": .string(workflowDefinitionId),
            "version": .int(version), "status": .string(status.rawValue), "createdAt": .string(Timestamp.rfc3339(createdAt)),
        ]
    }

    /// `GET /v1/workflows/{id}/result`.
    var resultRepresentation: JSONValue {
        ["id": .string(id), "status": .string(status.rawValue), "result": result ?? .null, "error": error?.json ?? .null]
    }

    /// What the run waits for: a `WAITING` run its timer, signal or child; a `PENDING` run held
    /// by a rate limit its key's queue (`rateLimit: {key, limit, position, active}`, the last two
    /// `null` when not read); otherwise `null`.
    func waitingFor(place: RateLimitPlace?) -> JSONValue {
        if status == .waiting, let wait { return wait.representation }
        guard status == .pending, let rateLimit else { return .null }
        let queue: JSONValue = [
            "key": .string(rateLimit.key), "limit": .int(rateLimit.limit), "position": place.map { .int($0.position) } ?? .null,
            "active": place.map { .int($0.active) } ?? .null,
        ]
        return ["signal": .null, "until": .null, "childRunId": .null, "rateLimit": queue]
    }

    /// `GET /v1/workflows/{id}/execution`.
    func executionRepresentation(tasks: [RunTask], place: RateLimitPlace? = nil) -> JSONValue {
        let queue: [JSONValue] =
            status.isTerminal
            ? []
            : currentStepId.map { [["stepId": .string($0), "dueAt": dueAt.map { .string(Timestamp.rfc3339($0)) } ?? .null]] } ?? []
        return [
            "id": .string(id), "workflowDefinitionId": .string(workflowDefinitionId), "version": .int(version),
            "status": .string(status.rawValue), "created": .string(Timestamp.rfc3339(createdAt)),
            "finished": finishedAt.map { .string(Timestamp.rfc3339($0)) } ?? .null,
            "tasks": .array(tasks.map(\.representation)),
            "tasksHierarchy": .array(hierarchy(tasks: tasks)),
            "executionQueue": .array(queue),
            "waitingFor": waitingFor(place: place),
        ]
    }
}

extension Run {
    /// `tasksHierarchy`: each inline-branch task under the task of the step owning the branch
    /// (`kind: "branch"`, both ids task ids), and each child run under the `workflow.run` task
    /// that waited for it (`kind: "run"`, `child` a run id); while that step still waits, there
    /// is no task yet and `parent` is this run's id.
    func hierarchy(tasks: [RunTask]) -> [JSONValue] {
        var links: [JSONValue] = []
        for task in tasks {
            if let parent = task.parentTaskId {
                links.append(["parent": .string(parent), "child": .string(task.id), "kind": "branch"])
            }
            if let child = task.childRunId {
                links.append(["parent": .string(task.id), "child": .string(child), "kind": "run"])
            }
        }
        if status == .waiting, let child = wait?.childRunId {
            links.append(["parent": .string(id), "child": .string(child), "kind": "run"])
        }
        return links
    }
}

extension RunTask {
    var representation: JSONValue {
        [
            "id": .string(id), "stepId": .string(stepId), "name": name.map(JSONValue.string) ?? .null, "action": .string(action),
            "status": .string(outcome.status.rawValue), "code": outcome.code.map(JSONValue.string) ?? .null, "attempt": .int(attempt),
            "parameters": parameters, "output": output, "error": error.map(JSONValue.string) ?? .null,
            "startedAt": .string(Timestamp.rfc3339(startedAt)), "finishedAt": .string(Timestamp.rfc3339(finishedAt)),
        ]
    }
}

extension RunWait {
    /// `waitingFor` of a `WAITING` run: the awaited signal (`null` for a timer) and when it wakes
    /// (a timer's time, an await's timeout; `null`: no timeout).
    var representation: JSONValue {
        [
            "signal": signal.map(JSONValue.string) ?? .null, "until": until.map { .string(Timestamp.rfc3339($0)) } ?? .null,
            "childRunId": childRunId.map(JSONValue.string) ?? .null, "rateLimit": .null,
        ]
    }
}
