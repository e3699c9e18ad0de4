/// The branches of a `parallel` step (SPEC 2.5 `parallel`), parsed at save: `config: {branches:
/// [{id, steps}], join, failFast}`.
///
/// Each branch runs as a branch run of the step's run (`RunBranch`): its own durable position,
/// claimed and executed like any run, so branches run at the same time and a restart resumes
/// each where it stood. Step ids are unique across the whole definition, branches included; a
/// `stepId` jump stays inside its branch (`DefinitionGraph.Flow.branch`).
public struct ParallelStep: Sendable, Hashable {
    public var branches: [ParallelBranch]
    public var join: ParallelJoin

    public init(branches: [ParallelBranch], join: ParallelJoin) {
        self.branches = branches
        self.join = join
    }

    /// The most branches a `parallel` step may have, whatever `engine.maxBranches` says (the
    /// configured bound is checked at save and when the step runs).
    public static let maxBranches = 256
    /// `engine.maxBranches` by default. Nested `parallel` steps multiply their branch runs, but
    /// every branch is at least one step of the definition, so a run's definition
    /// (`WorkflowDefinition.maxSteps`) bounds how many branch runs it starts at once.
    public static let defaultMaxBranches = 32
}

/// One branch of a `parallel` step: an id (unique within the step) and its steps.
public struct ParallelBranch: Sendable, Hashable {
    public var id: String
    public var steps: [Step]

    public init(id: String, steps: [Step]) {
        self.id = id
        self.steps = steps
    }
}

/// How a `parallel` step ends from its branches (`join` and `failFast`).
public enum ParallelJoin: String, Sendable, Hashable, CaseIterable {
    /// `join: all, failFast: true` (the default): `OK` once every branch completed; the first
    /// branch to fail ends the step `KO` at once and the others are cancelled.
    case allFailFast = "all"
    /// `join: all, failFast: false`: every branch runs to its end; `KO` if one failed.
    case all = "all_no_fail_fast"
    /// `join: any`: `OK` with the first branch to complete, the others cancelled; `KO` once
    /// every branch failed.
    case any

    /// What the branches as they stand decide (`branches` in the definition's order, as the
    /// branch runs' ids sort): `nil` while the step must wait for more of them.
    public func decision(_ branches: [Run]) -> ParallelOutcome? {
        let ended = branches.filter { $0.status.isTerminal }
        let failed = ended.filter { $0.status != .completed }.sorted(by: Self.earlierEnd)
        let completed = ended.filter { $0.status == .completed }.sorted(by: Self.earlierEnd)
        switch self {
        case .allFailFast:
            if let first = failed.first { return .failed(first) }
            return completed.count == branches.count ? .completed(branches) : nil
        case .all:
            guard ended.count == branches.count else { return nil }
            return failed.first.map(ParallelOutcome.failed) ?? .completed(branches)
        case .any:
            if let first = completed.first { return .completed([first]) }
            return ended.count == branches.count ? failed.first.map(ParallelOutcome.failed) : nil
        }
    }

    /// The branch that ended first (ties: the earlier branch).
    private static func earlierEnd(_ a: Run, _ b: Run) -> Bool {
        (a.finishedAt ?? .distantFuture, a.id) < (b.finishedAt ?? .distantFuture, b.id)
    }
}

/// How a `parallel` step ended, from its branch runs.
public enum ParallelOutcome: Sendable, Equatable {
    /// The branches whose results make the step's output (`{<branchId>: <result>}`): all of
    /// them for `join: all`, the first to complete for `any`.
    case completed([Run])
    /// The branch whose failure ends the step `KO` `branch_failed`.
    case failed(Run)
}
