/// What this installation lets a definition being saved name, beyond the rules every definition
/// follows: the `exec` programs an operator listed (`engine.exec.programs`) and the most branches
/// of a `parallel` step (`engine.maxBranches`).
///
/// Core reads no configuration: the API (and `caseworker import`) build this from theirs and pass
/// it to `WorkflowDefinition(parsing:rules:)`. The default allows nothing, as the configuration's
/// default does: a definition with an `exec` step is refused until its program is listed.
/// Stored versions are loaded without these rules (`init(loading:)`): a program removed from the
/// configuration since a version was saved ends that step `KO` `program_not_allowed` at run time.
public struct DefinitionRules: Sendable, Hashable {
    /// The names of `engine.exec.programs`: what an `exec` step's `program` may name.
    public var execPrograms: Set<String>
    /// `engine.maxBranches`: the most branches a `parallel` step may have (at most
    /// `ParallelStep.maxBranches`).
    public var maxBranches: Int

    public init(execPrograms: Set<String> = [], maxBranches: Int = ParallelStep.defaultMaxBranches) {
        self.execPrograms = execPrograms
        self.maxBranches = maxBranches
    }
}
