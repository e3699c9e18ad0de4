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
            "branch": branch.map { ["stepId": .string($0.stepId), "branchId": .string($0.branchId)] } ?? .null,
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
        return ["signal": .null, "until": .null, "childRunId": .null, "rateLimit": queue, "taskQueue": .null]
    }

    /// `GET /v1/workflows/{id}/execution`: the run's tasks and, after them, the tasks of its
    /// branch runs (`parallel` steps, nested ones included), each with its `runId` and, for a
    /// branch's, its `branch`; `branches` lists the branch runs.
    func executionRepresentation(
        tasks: [RunTask], branches: [(run: Run, tasks: [RunTask])] = [], place: RateLimitPlace? = nil
    ) -> JSONValue {
        let queue: [JSONValue] =
            status.isTerminal
            ? []
            : currentStepId.map { [["stepId": .string($0), "dueAt": dueAt.map { .string(Timestamp.rfc3339($0)) } ?? .null]] } ?? []
        return [
            "id": .string(id), "workflowDefinitionId": .string(workflowDefinitionId), "version": .int(version),
            "status": .string(status.rawValue), "created": .string(Timestamp.rfc3339(createdAt)),
            "finished": finishedAt.map { .string(Timestamp.rfc3339($0)) } ?? .null,
            "tasks": .array(
                tasks.map(\.representation)
                    + branches.flatMap { branch in branch.tasks.map { $0.representation(branch: branch.run.branch) } }),
            "tasksHierarchy": .array(hierarchy(tasks: tasks, branches: branches)),
            "branches": .array(branches.map(\.run.branchRepresentation)),
            "executionQueue": .array(queue),
            "waitingFor": waitingFor(place: place),
        ]
    }
}

extension Run {
    /// `tasksHierarchy`: each inline-branch task under the task of the step owning the branch
    /// (`kind: "branch"`, both ids task ids), and each child run under the `workflow.run` task
    /// that waited for it (`kind: "run"`, `child` a run id); while that step still waits, there
    /// is no task yet and `parent` is this run's id. Each branch run of a `parallel` step under
    /// the step's task (`kind: "parallel"`, `child` the branch run's id, with `branchId`; while the
    /// step waits, under the run that started it), and each task of a branch run under that run
    /// (`kind: "branchTask"`), inline branches in it as above.
    func hierarchy(tasks: [RunTask], branches: [(run: Run, tasks: [RunTask])] = []) -> [JSONValue] {
        let groups = Set(branches.compactMap { $0.run.branch?.group })
        let allTasks = tasks + branches.flatMap(\.tasks)
        var links: [JSONValue] = []
        for task in allTasks {
            if let parent = task.parentTaskId {
                links.append(["parent": .string(parent), "child": .string(task.id), "kind": "branch"])
            }
            if let child = task.childRunId, !groups.contains(child) {
                links.append(["parent": .string(task.id), "child": .string(child), "kind": "run"])
            }
        }
        if status == .waiting, let child = wait?.childRunId, !groups.contains(child) {
            links.append(["parent": .string(id), "child": .string(child), "kind": "run"])
        }
        for (run, runTasks) in branches {
            guard let branch = run.branch, let parentRunId = run.parentRunId else { continue }
            let parallelTask = allTasks.last { $0.runId == parentRunId && $0.childRunId == branch.group }
            links.append([
                "parent": .string(parallelTask?.id ?? parentRunId), "child": .string(run.id), "kind": "parallel",
                "branchId": .string(branch.branchId),
            ])
            for task in runTasks where task.parentTaskId == nil {
                links.append(["parent": .string(run.id), "child": .string(task.id), "kind": "branchTask"])
            }
        }
        return links
    }

    /// A branch run in `branches` of the execution view.
    var branchRepresentation: JSONValue {
        [
            "runId": .string(id), "parentRunId": parentRunId.map(JSONValue.string) ?? .null,
            "stepId": branch.map { .string($0.stepId) } ?? .null, "branchId": branch.map { .string($0.branchId) } ?? .null,
            "status": .string(status.rawValue), "currentStepId": currentStepId.map(JSONValue.string) ?? .null,
            "result": result ?? .null, "error": error?.json ?? .null,
            "startedAt": startedAt.map { .string(Timestamp.rfc3339($0)) } ?? .null,
            "finishedAt": finishedAt.map { .string(Timestamp.rfc3339($0)) } ?? .null,
        ]
    }
}

extension RunTask {
    var representation: JSONValue { representation(branch: nil) }

    /// The task; a branch run's task names its branch (`{stepId, branchId}` of the `parallel`
    /// step), every task its run.
    func representation(branch: RunBranch?) -> JSONValue {
        [
            "id": .string(id), "runId": .string(runId),
            "branch": branch.map { ["stepId": .string($0.stepId), "branchId": .string($0.branchId)] } ?? .null,
            "stepId": .string(stepId), "name": name.map(JSONValue.string) ?? .null, "action": .string(action),
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
            "taskQueue": taskQueue.map(JSONValue.string) ?? .null,
        ]
    }
}
