import CaseworkerCore

extension Run {
    /// `GET /v1/workflows/{id}`.
    var representation: JSONValue {
        [
            "id": .string(id), "caseId": .string(caseId), "workflowDefinitionId": .string(workflowDefinitionId),
            "version": .int(version), "parametersId": parametersId.map(JSONValue.string) ?? .null,
            "status": .string(status.rawValue), "currentStepId": currentStepId.map(JSONValue.string) ?? .null,
            "correlationId": correlationId.map(JSONValue.string) ?? .null, "channel": channel.map(JSONValue.string) ?? .null,
            "createdAt": .string(Timestamp.rfc3339(createdAt)), "startedAt": startedAt.map { .string(Timestamp.rfc3339($0)) } ?? .null,
            "finishedAt": finishedAt.map { .string(Timestamp.rfc3339($0)) } ?? .null, "error": error?.json ?? .null,
            "waitingFor": status == .waiting ? wait.map(\.representation) ?? .null : .null,
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

    /// `GET /v1/workflows/{id}/execution`.
    func executionRepresentation(tasks: [RunTask]) -> JSONValue {
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
            "childRunId": childRunId.map(JSONValue.string) ?? .null,
        ]
    }
}
