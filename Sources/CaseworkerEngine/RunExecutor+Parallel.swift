import CaseworkerCore
import Foundation

/// How a woken `parallel` step stands: still waiting for its branch group, or ended with a
/// result and what its end does to the group.
enum BranchJoin {
    case waiting(RunWait)
    case ended(ActionResult, JoinedBranches)
}

/// What a `parallel` step's end writes besides its task: the still active branches it cancels,
/// the steps its branches executed (added to the run's count) and their steps' results (the
/// run's `steps.<id>` from then on).
struct JoinedBranches {
    var cancel: (group: String, reason: String)?
    var steps: Int
    var stepResults: [String: JSONValue]
}

extension RunExecutor {
    /// A `parallel` step starts: its branch runs (`ParallelStep.branchRuns`), inserted with the
    /// run's commit; `KO` `too_many_branches` past `engine.maxBranches` (a version saved under a
    /// higher bound), `KO` `branch_depth_exceeded` when the run nests too deep.
    func startBranches(_ parallel: ParallelStep, step: Step, of run: Run, startedAt: Date) -> Result<[NewRun], ActionFailure> {
        guard parallel.branches.count <= maxBranches else {
            return .failure(
                ActionFailure(
                    code: "too_many_branches",
                    message: "parallel: \(parallel.branches.count) branches, more than engine.maxBranches (\(maxBranches))"))
        }
        guard let branches = parallel.branchRuns(stepId: step.id, parent: run, ids: { ids.next(at: startedAt) }) else {
            return .failure(ActionFailure(code: "branch_depth_exceeded", message: "branch runs nest at most \(NewRun.maxDepth) deep"))
        }
        return .success(branches)
    }

    /// The woken `parallel` step of `run`, from its branch group as stored now
    /// (`ParallelJoin.decision`): `OK` with `{<branchId>: <result>}` of the completed branches
    /// that decide; `KO` `branch_failed` (output `{branchId, runId, status, error}`) for the
    /// branch whose failure decides, never retried (a retry would start new branches). The
    /// branches still active are cancelled with the step. Woken before the group decides (not
    /// expected: the group's last decisive end wakes it), it waits again and looks every second.
    func joinBranches(_ parallel: ParallelStep, step: Step, of run: Run, wait: RunWait) async throws -> BranchJoin {
        guard let group = wait.childRunId else { return .waiting(wait) }
        let branches = try await store.branchRuns(tenantId: run.tenantId, parentRunId: run.id, group: group)
        guard let outcome = parallel.join.decision(branches) else {
            return .waiting(RunWait(signal: nil, until: clock.now.addingTimeInterval(1), since: wait.since, childRunId: group))
        }
        let steps = branches.reduce(0) { $0 + max(0, $1.stepsExecuted - run.stepsExecuted) }
        // Each branch started with the run's results: what differs is its own steps'.
        let stepResults = branches.reduce(into: [String: JSONValue]()) { merged, branch in
            for (id, result) in branch.stepResults where run.stepResults[id] != result { merged[id] = result }
        }
        let active = branches.contains { !$0.status.isTerminal }
        switch outcome {
        case .completed(let decisive):
            let output = JSONValue.object(
                Dictionary(uniqueKeysWithValues: decisive.map { ($0.branch?.branchId ?? $0.id, $0.result ?? .null) }))
            let first = decisive.first?.branch?.branchId ?? ""
            let cancel = active ? (group, "branch \(first) of step \(step.id) completed first") : nil
            return .ended(.ok(output), JoinedBranches(cancel: cancel, steps: steps, stepResults: stepResults))
        case .failed(let branch):
            let id = branch.branch?.branchId ?? branch.id
            let reason = branch.error.map { ": \($0.message)" } ?? ""
            let cancel = active ? (group, "branch \(id) of step \(step.id) ended \(branch.status.rawValue)") : nil
            let result = ActionResult.ko(
                "branch_failed", "branch \(id) ended \(branch.status.rawValue)\(reason)",
                output: [
                    "branchId": .string(id), "runId": .string(branch.id), "status": .string(branch.status.rawValue),
                    "error": branch.error?.json ?? .null,
                ])
            return .ended(result, JoinedBranches(cancel: cancel, steps: steps, stepResults: stepResults))
        }
    }
}
