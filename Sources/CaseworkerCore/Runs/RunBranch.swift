/// What makes a run a branch of a `parallel` step (`ParallelStep`): the step of its parent run
/// (`Run.parentRunId`), the branch, the group of branch runs the step started together, and
/// how the group joins.
///
/// A branch run starts at its branch's first step with its parent's input, parameters, state and
/// step results as they stood when the step started (its own changes stay in the branch), and
/// completes at the end of its branch with the last step's output as its result. Its failures
/// end it without the definition's rescue steps, and its end writes no `workflow.*` event and
/// starts no failure workflow: the parent's `parallel` step decides from the group
/// (`ParallelJoin.decision`), and the parent's end is what callers see. It is listed nowhere
/// but under its parent (the execution view, the dashboard), and cancelled with it.
public struct RunBranch: Sendable, Hashable {
    /// The `parallel` step of the parent run.
    public var stepId: String
    /// The branch's id within that step.
    public var branchId: String
    /// The id of the group's first branch run: the parent's `RunWait.childRunId` while the step
    /// waits, and the `childRunId` of the step's task.
    public var group: String
    public var join: ParallelJoin

    public init(stepId: String, branchId: String, group: String, join: ParallelJoin) {
        self.stepId = stepId
        self.branchId = branchId
        self.group = group
        self.join = join
    }
}
