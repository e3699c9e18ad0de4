/// Where each step of a definition sits, so that transitions and reachability are lookups.
///
/// A step lives in one list: the main `steps`, the `rescue` steps, the inline branch (`steps`
/// of a `next` rule) of another step, or a branch of a `parallel` step. Ids are unique across
/// all lists, so an id is a position.
public struct DefinitionGraph: Sendable {
    public enum List: Hashable, Sendable {
        case main
        case rescue
        /// The inline `steps` of rule `rule` of step `owner`.
        case branch(owner: String, rule: Int)
        /// The steps of branch `branch` of the `parallel` step `owner`.
        case parallel(owner: String, branch: String)
    }

    /// Which flow a step belongs to: the main flow (main steps and inline branches under them),
    /// the rescue flow (rescue steps and inline branches under them), or one branch of a
    /// `parallel` step (its steps and inline branches under them), which a branch run executes
    /// on its own. A `stepId` jump stays in its flow.
    public enum Flow: Sendable, Hashable {
        case main, rescue
        case branch(step: String, branch: String)
    }

    struct Location: Sendable {
        var list: List
        var index: Int
        var flow: Flow
    }

    private(set) var lists: [List: [Step]] = [:]
    private(set) var locations: [String: Location] = [:]

    init(steps: [Step], rescue: [Step]) {
        add(steps, as: .main, flow: .main)
        add(rescue, as: .rescue, flow: .rescue)
    }

    private mutating func add(_ steps: [Step], as list: List, flow: Flow) {
        lists[list] = steps
        for (index, step) in steps.enumerated() {
            // Duplicate ids are a validation error reported by the parser; the first one wins here.
            if locations[step.id] == nil { locations[step.id] = Location(list: list, index: index, flow: flow) }
            for (ruleIndex, rule) in step.next.enumerated() {
                if case .steps(let branch) = rule.target {
                    add(branch, as: .branch(owner: step.id, rule: ruleIndex), flow: flow)
                }
            }
            for branch in step.parallel?.branches ?? [] {
                add(branch.steps, as: .parallel(owner: step.id, branch: branch.id), flow: .branch(step: step.id, branch: branch.id))
            }
        }
    }

    public func step(_ id: String) -> Step? {
        guard let location = locations[id] else { return nil }
        return lists[location.list]?[location.index]
    }

    public func flow(of id: String) -> Flow? { locations[id]?.flow }

    /// Every step of every list (main, rescue, inline branches), in no particular order.
    public var allSteps: [Step] { lists.values.flatMap { $0 } }

    /// The step whose inline branch holds step `id`, if it is in one.
    public func owner(of id: String) -> String? {
        if case .branch(let owner, _)? = locations[id]?.list { return owner }
        return nil
    }

    /// What follows step `id` when no rule matched an OK/SKIP outcome.
    public enum Following: Equatable, Sendable {
        case step(String)
        /// The end of the main steps: the run completes.
        case endOfMain
        /// The end of the rescue steps: the run ends with its failure.
        case endOfRescue
        /// The end of a `parallel` step's branch: the branch run completes.
        case endOfBranch
    }

    public func following(_ id: String) -> Following {
        guard let location = locations[id], let list = lists[location.list] else { return .endOfMain }
        if location.index + 1 < list.count { return .step(list[location.index + 1].id) }
        switch location.list {
        case .main: return .endOfMain
        case .rescue: return .endOfRescue
        case .branch(let owner, _): return following(owner)
        case .parallel: return .endOfBranch
        }
    }

    /// Ids of the steps no path from the first step reaches.
    ///
    /// Edges: every rule's target (a `stepId`, the first step of an inline branch); the following
    /// step unless the action ends the run or an unconditional rule always decides first; and the
    /// first rescue step, from any step of the main flow whose action can fail; the first step of
    /// each branch of a `parallel` step.
    func unreachableStepIds(mainSteps: [Step], rescue: [Step]) -> [String] {
        guard let first = mainSteps.first else { return [] }
        var seen: Set<String> = [first.id]
        var queue = [first.id]
        func visit(_ id: String) {
            if locations[id] != nil, seen.insert(id).inserted { queue.append(id) }
        }
        while let id = queue.popLast() {
            guard let step = step(id) else { continue }
            if step.action.endsRun { continue }
            for rule in step.next {
                switch rule.target {
                case .step(let target): visit(target)
                case .steps(let branch): if let head = branch.first { visit(head.id) }
                case .stop: break
                }
            }
            for branch in step.parallel?.branches ?? [] {
                if let head = branch.steps.first { visit(head.id) }
            }
            if !step.next.contains(where: \.isUnconditional), case .step(let next) = following(id) {
                visit(next)
            }
            if flow(of: id) == .main, let head = rescue.first { visit(head.id) }
        }
        return locations.keys.filter { !seen.contains($0) }.sorted { a, b in
            (locations[a]!.flow == .main ? 0 : 1, a) < (locations[b]!.flow == .main ? 0 : 1, b)
        }
    }
}
