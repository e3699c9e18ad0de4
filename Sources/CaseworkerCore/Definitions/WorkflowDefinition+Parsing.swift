extension WorkflowDefinition {
    /// Members of the API representation that a `PUT` body may carry back unchanged (GET, edit,
    /// PUT): they are ignored, never stored or hashed.
    public static let responseOnlyMembers: Set<String> = [
        "id", "version", "versionId", "versions", "hasDraft", "hash", "disabled", "createdAt", "updatedAt",
        "createdBy", "updatedBy", "channel",
    ]

    /// Members that steer the save rather than describe the definition.
    public static let saveOptionMembers: Set<String> = ["isDraft"]

    public static let maxSteps = 1000
    /// `metadata`: a free-form object kept for tools and imports (vendor fields), stored, returned
    /// and hashed with the content, never interpreted.
    public static let maxMetadataBytes = 16 * 1024
    public static let maxBranchDepth = 16

    /// Parses and checks a definition body being saved (SPEC 2.4), reporting every problem at
    /// once with its JSON pointer: member types and ranges, step ids (format, uniqueness across
    /// the whole definition), known actions and their configs, `next` rules (exactly one target;
    /// `stepId`s that exist and stay within their flow, main or rescue), template and expression
    /// syntax, every path the templates read (`DefinitionPathCheck`: roots, `steps.<id>.<member>`,
    /// `state`, `params` and `input` keys, at the exact pointer of the template), the variables,
    /// the input schema, and steps that no path reaches.
    /// `rules` are what this installation allows (the `exec` programs listed, the most branches
    /// of a `parallel` step); the default allows no `exec` step and 32 branches.
    public init(parsing body: JSONValue, rules: DefinitionRules = .init()) throws(ValidationFailed) {
        try self.init(body, checkingPaths: true, maxBranches: rules.maxBranches, rules: rules)
    }

    /// Parses a version's stored content (the engine, parameter sets, failure workflows): every
    /// check of `init(parsing:)` except the path checks, which were added after versions were
    /// stored. A version accepted at its save stays runnable after an upgrade; its paths that
    /// miss read as `null` at run time, and null never decides. Nor are the installation's rules
    /// (`DefinitionRules`): an `exec` program unlisted since is refused when its step runs.
    public init(loading content: JSONValue) throws(ValidationFailed) {
        try self.init(content, checkingPaths: false, maxBranches: ParallelStep.maxBranches, rules: nil)
    }

    private init(_ body: JSONValue, checkingPaths: Bool, maxBranches: Int, rules: DefinitionRules?) throws(ValidationFailed) {
        let diagnostics = Diagnostics()
        guard var reader = MemberReader(body, at: "", diagnostics, what: "a JSON object") else {
            throw ValidationFailed(diagnostics.errors)
        }
        var steps = StepsParser(diagnostics: diagnostics, maxBranches: maxBranches, rules: rules)

        let name = reader.string("name", required: true, maxLength: 256) ?? ""
        let description = reader.string("description", maxLength: 4096)
        let owner = reader.string("owner", maxLength: 256)
        var tags: [String] = []
        if let values = reader.array("tags") {
            var seen: Set<String> = []  // not `tags.contains`: quadratic in a body of 100,000 tags
            for (index, tag) in values.enumerated() {
                if let text = tag.stringValue, (1...64).contains(text.codePointCount) {
                    if seen.insert(text).inserted { tags.append(text) }
                } else {
                    diagnostics.add(JSONPointer.appending(index, to: "/tags"), "must be a string of 1–64 characters")
                }
            }
        }
        let isTemplate = reader.bool("isTemplate") ?? false
        _ = reader.bool("isDraft")

        var variables = VariableDeclarations()
        if let value = reader.value("variables") {
            do { variables = try VariableDeclarations(parsing: value, at: "/variables") } catch { diagnostics.add(error) }
        }
        let initialState = reader.object("initialState") ?? [:]
        var inputSchema: JSONSchema?
        if let value = reader.value("inputSchema") {
            do { inputSchema = try JSONSchema(parsing: value, at: "/inputSchema") } catch { diagnostics.add(error) }
        }
        let enforceSchema = reader.bool("enforceSchema") ?? false
        if enforceSchema && reader.members["inputSchema"].map(\.isNull) ?? true {
            diagnostics.add("/enforceSchema", "needs an inputSchema to enforce")
        }

        var mainSteps: [Step] = []
        if let value = reader.required("steps") {
            mainSteps = steps.parseList(value, at: "/steps", flow: .main, depth: 0)
            if mainSteps.isEmpty, value.arrayValue?.isEmpty == true { diagnostics.add("/steps", "must have at least one step") }
        }
        var rescue: [Step] = []
        if let value = reader.value("rescue") {
            rescue = steps.parseList(value, at: "/rescue", flow: .rescue, depth: 0)
        }

        let output = reader.templated("output")
        if let output { steps.noteTemplates(output, at: "/output") }
        let timeoutSeconds = reader.seconds("timeoutSeconds", in: 0...(366 * 86_400)) ?? 0
        var timeoutPolicy = TimeoutPolicy.timeOutWorkflow
        if let text = reader.string("timeoutPolicy", maxLength: 32) {
            if let policy = TimeoutPolicy(rawValue: text) {
                timeoutPolicy = policy
            } else {
                diagnostics.add("/timeoutPolicy", "must be TIME_OUT_WF or ALERT_ONLY")
            }
        }
        var rateLimit: RateLimit?
        if let value = reader.value("rateLimit"), var limit = MemberReader(value, at: "/rateLimit", diagnostics) {
            let key = limit.template("key", required: true)
            let count = limit.int("concurrentExecLimit", in: 1...100_000)
            // `null` counts as missing: a rate limit without a limit must not be silently ignored.
            if limit.members["concurrentExecLimit"].map(\.isNull) ?? true {
                diagnostics.add("/rateLimit/concurrentExecLimit", "is required")
            }
            limit.finish(what: "a rateLimit member")
            if let key, let count { rateLimit = RateLimit(key: key, concurrentExecLimit: count) }
            if let key { steps.templates.append(("/rateLimit/key", key, .rateLimitKey)) }
        }
        let failureWorkflow = reader.string("failureWorkflow", maxLength: 128)
        if let failureWorkflow, !DefinitionID.isValid(failureWorkflow) {
            diagnostics.add("/failureWorkflow", "must be a definition id (1–128 letters, digits, '-', '_', '.')")
        }
        var defaultRetry: RetryPolicy?
        if let value = reader.value("errorHandling"), var handling = MemberReader(value, at: "/errorHandling", diagnostics) {
            if let retry = handling.value("retry") { defaultRetry = RetryPolicyParser.parse(retry, at: "/errorHandling/retry", diagnostics) }
            handling.finish(what: "an errorHandling member")
        }
        if let metadata = reader.object("metadata") {
            let size = JSONText.encode(.object(metadata)).utf8.count
            if size > Self.maxMetadataBytes {
                diagnostics.add(
                    "/metadata",
                    "is \(ValueLimits.bytesText(size)) of JSON, more than the \(ValueLimits.bytesText(Self.maxMetadataBytes)) allowed")
            }
        }
        reader.finish(ignoring: Self.responseOnlyMembers, what: "a definition member")

        steps.checkReferences()
        if checkingPaths {
            // Names as given, so that a mistyped variable declaration does not also fail its uses.
            let variableNames = Set(reader.members["variables"]?.objectValue.map { Array($0.keys) } ?? [])
            let paths = DefinitionPathCheck(
                stepIds: Set(steps.pointers.keys), initialStateKeys: variableNames.union(initialState.keys),
                stepStateKeys: steps.stateKeys, variableNames: variableNames,
                inputKeys: DefinitionPathCheck.declaredInputKeys(of: reader.members["inputSchema"]))
            for (pointer, template, scope) in steps.templates { paths.check(template, at: pointer, scope: scope, diagnostics) }
        }
        if diagnostics.errors.isEmpty {
            let graph = DefinitionGraph(steps: mainSteps, rescue: rescue)
            for id in graph.unreachableStepIds(mainSteps: mainSteps, rescue: rescue) {
                diagnostics.add(steps.pointers[id] ?? "/steps", "is unreachable: no path from the first step leads to step '\(id)'")
            }
        }
        guard diagnostics.errors.isEmpty else { throw ValidationFailed(diagnostics.errors) }

        var document = body.objectValue ?? [:]
        for member in Self.responseOnlyMembers.union(Self.saveOptionMembers) { document.removeValue(forKey: member) }
        self.init(
            name: name, description: description, owner: owner, tags: tags, isTemplate: isTemplate,
            variables: variables, initialState: initialState, inputSchema: inputSchema, enforceSchema: enforceSchema,
            steps: mainSteps, rescue: rescue, output: output, timeoutSeconds: timeoutSeconds, timeoutPolicy: timeoutPolicy,
            rateLimit: rateLimit, failureWorkflow: failureWorkflow, defaultRetry: defaultRetry, document: .object(document))
    }
}

/// Parses step lists, remembering ids and references for the checks that need the whole
/// definition.
private struct StepsParser {
    let diagnostics: Diagnostics
    /// Where each step id was first declared.
    var pointers: [String: String] = [:]
    var flows: [String: DefinitionGraph.Flow] = [:]
    var count = 0
    /// `stepId` targets: (target, pointer, flow of the rule's step).
    var jumps: [(target: String, pointer: String, flow: DefinitionGraph.Flow)] = []
    /// Every template with its exact pointer, for the path checks.
    var templates: [(pointer: String, template: Template, scope: DefinitionPathCheck.Scope)] = []
    /// The state keys that steps write (`transform` `set`).
    var stateKeys: Set<String> = []
    /// What the installation allows; `nil` when a stored version is loaded.
    let rules: DefinitionRules?

    /// The most branches of a `parallel` step.
    let maxBranches: Int

    init(diagnostics: Diagnostics, maxBranches: Int, rules: DefinitionRules?) {
        self.diagnostics = diagnostics
        self.maxBranches = maxBranches
        self.rules = rules
    }

    mutating func parseList(_ value: JSONValue, at pointer: String, flow: DefinitionGraph.Flow, depth: Int) -> [Step] {
        guard case .array(let elements) = value else {
            diagnostics.add(pointer, "must be an array of steps, got \(value.typeName)")
            return []
        }
        guard depth <= WorkflowDefinition.maxBranchDepth else {
            diagnostics.add(pointer, "nests inline branches deeper than \(WorkflowDefinition.maxBranchDepth) levels")
            return []
        }
        return elements.enumerated().compactMap { index, element in
            parseStep(element, at: JSONPointer.appending(index, to: pointer), flow: flow, depth: depth)
        }
    }

    mutating func noteTemplates(_ value: TemplatedValue, at pointer: String) {
        templates += value.templatesWithPointers(at: pointer).map { ($0.pointer, $0.template, .run) }
    }

    private mutating func parseStep(_ value: JSONValue, at pointer: String, flow: DefinitionGraph.Flow, depth: Int) -> Step? {
        count += 1
        if count == WorkflowDefinition.maxSteps + 1 {
            diagnostics.add(pointer, "exceeds the limit of \(WorkflowDefinition.maxSteps) steps per definition")
        }
        guard var reader = MemberReader(value, at: pointer, diagnostics, what: "a step object") else { return nil }
        let id = reader.string("id", required: true, maxLength: 64)
        if let id {
            if !Self.isValidStepId(id) {
                diagnostics.add(reader.at("id"), "must be 1–64 letters, digits, '_' or '-'")
            } else if let first = pointers[id] {
                diagnostics.add(reader.at("id"), "duplicates the id of the step at \(first)")
            } else {
                pointers[id] = pointer
                flows[id] = flow
            }
        }
        let name = reader.string("name", maxLength: 256)
        var action: ActionName?
        if let text = reader.string("action", required: true, maxLength: 64) {
            action = ActionName(rawValue: text)
            if action == nil { diagnostics.add(reader.at("action"), "is not a known action (known: \(ActionName.names))") }
        }
        var config: TemplatedValue?
        var parallel: ParallelStep?
        if action == .parallel {
            // The config holds steps, parsed as steps (their templates are theirs), not as one value.
            parallel = parseParallel(reader.required("config"), at: reader.at("config"), stepId: id, depth: depth)
        } else {
            config = reader.templated("config")
            if let config { noteTemplates(config, at: reader.at("config")) }
            if action == .transform, let set = reader.members["config"]?["set"]?.objectValue { stateKeys.formUnion(set.keys) }
            if let action { ActionConfigValidation.check(action, config: reader.members["config"].flatMap { $0.isNull ? nil : $0 }, at: reader.at("config"), rules: self.rules, diagnostics) }
        }

        var rules: [NextRule] = []
        if let entries = reader.array("next") {
            for (index, entry) in entries.enumerated() {
                if let rule = parseRule(entry, at: JSONPointer.appending(index, to: reader.at("next")), flow: flow, depth: depth) {
                    rules.append(rule)
                }
            }
        }
        var retry: RetryPolicy?
        if let value = reader.value("retry") { retry = RetryPolicyParser.parse(value, at: reader.at("retry"), diagnostics) }
        let timeoutSeconds = reader.seconds("timeoutSeconds", in: 0.001...(366 * 86_400))
        let notes = reader.string("notes", maxLength: 4096)
        let summary = reader.string("summary", maxLength: 1024)
        reader.finish(what: "a step member")

        guard let id, let action, let config = config ?? (try? TemplatedValue(parsing: .object([:]), at: "")) else { return nil }
        if action == .parallel, parallel == nil { return nil }
        return Step(
            id: id, name: name, action: action, config: config, next: rules, retry: retry, timeoutSeconds: timeoutSeconds,
            notes: notes, summary: summary, parallel: parallel)
    }

    /// The config of a `parallel` step: `branches` (1 … `ParallelStep.maxBranches`, and at most
    /// `maxBranches`, each `{id, steps}` with a unique id and at least one step), `join`
    /// (`all`, the default, or `any`) and `failFast` (default `true`; with `any` it changes
    /// nothing). A branch's steps form their own flow, one level deeper.
    private mutating func parseParallel(_ value: JSONValue?, at pointer: String, stepId: String?, depth: Int) -> ParallelStep? {
        guard let value, var reader = MemberReader(value, at: pointer, diagnostics) else { return nil }
        var join = ParallelJoin.allFailFast
        let joinText = reader.string("join", maxLength: 16)
        let failFast = reader.bool("failFast") ?? true
        switch joinText {
        case nil, "all": join = failFast ? .allFailFast : .all
        case "any": join = .any
        case let other?: diagnostics.add(reader.at("join"), "must be all or any, got \(other.prefix(16))")
        }
        var branches: [ParallelBranch] = []
        if let list = reader.required("branches") {
            guard case .array(let elements) = list else {
                diagnostics.add(reader.at("branches"), "must be an array of branches, got \(list.typeName)")
                reader.finish(what: "a config member of parallel")
                return nil
            }
            let limit = min(ParallelStep.maxBranches, maxBranches)
            if elements.isEmpty { diagnostics.add(reader.at("branches"), "must have at least one branch") }
            if elements.count > limit {
                diagnostics.add(reader.at("branches"), "has \(elements.count) branches; at most \(limit) are allowed (engine.maxBranches)")
            }
            var seen: [String: String] = [:]
            for (index, element) in elements.prefix(limit).enumerated() {
                let at = JSONPointer.appending(index, to: reader.at("branches"))
                guard var branch = MemberReader(element, at: at, diagnostics, what: "a branch object") else { continue }
                let id = branch.string("id", required: true, maxLength: 64)
                if let id {
                    if !Self.isValidStepId(id) {
                        diagnostics.add(branch.at("id"), "must be 1–64 letters, digits, '_' or '-'")
                    } else if let first = seen[id] {
                        diagnostics.add(branch.at("id"), "duplicates the id of the branch at \(first)")
                    } else {
                        seen[id] = at
                    }
                }
                let flow = DefinitionGraph.Flow.branch(step: stepId ?? "", branch: id ?? "")
                var steps: [Step] = []
                if let list = branch.required("steps") {
                    steps = parseList(list, at: branch.at("steps"), flow: flow, depth: depth + 1)
                    if list.arrayValue?.isEmpty == true { diagnostics.add(branch.at("steps"), "must have at least one step") }
                }
                branch.finish(what: "a branch member")
                if let id, !steps.isEmpty { branches.append(ParallelBranch(id: id, steps: steps)) }
            }
        }
        reader.finish(what: "a config member of parallel")
        return branches.isEmpty ? nil : ParallelStep(branches: branches, join: join)
    }

    private mutating func parseRule(_ value: JSONValue, at pointer: String, flow: DefinitionGraph.Flow, depth: Int) -> NextRule? {
        guard var reader = MemberReader(value, at: pointer, diagnostics, what: "a next rule object") else { return nil }
        var status: StepOutcome.Status?
        if let text = reader.string("status", maxLength: 16) {
            status = StepOutcome.Status(rawValue: text)
            if status == nil { diagnostics.add(reader.at("status"), "must be OK, KO, SKIP or TIMEOUT") }
        }
        let code = reader.string("code", maxLength: 128)
        let when = reader.template("when")
        if let when { templates.append((reader.at("when"), when, .run)) }

        let given = ["stepId", "steps", "stop"].filter { reader.members[$0].map { !$0.isNull } ?? false }
        if given.count != 1 { diagnostics.add(pointer, "must have exactly one of stepId, steps or stop") }
        var target: NextRule.Target?
        if let stepId = reader.string("stepId", maxLength: 64) {
            jumps.append((stepId, reader.at("stepId"), flow))
            target = .step(stepId)
        }
        if let value = reader.value("steps") {
            let branch = parseList(value, at: reader.at("steps"), flow: flow, depth: depth + 1)
            if value.arrayValue?.isEmpty == true { diagnostics.add(reader.at("steps"), "must have at least one step") }
            if !branch.isEmpty { target = .steps(branch) }
        }
        if let stop = reader.value("stop") {
            if stop == .bool(true) { target = .stop } else { diagnostics.add(reader.at("stop"), "must be true") }
        }
        reader.finish(what: "a next rule member")
        guard given.count == 1, let target else { return nil }
        return NextRule(status: status, code: code, when: when, target: target)
    }

    /// Checks that every `stepId` names a step of its own flow.
    func checkReferences() {
        for jump in jumps {
            guard let flow = flows[jump.target] else {
                diagnostics.add(jump.pointer, "names no step of this definition: '\(jump.target)'")
                continue
            }
            switch (jump.flow, flow) {
            case (.main, .rescue):
                diagnostics.add(jump.pointer, "must name a step of the main flow; '\(jump.target)' is a rescue step")
            case (.rescue, .main):
                diagnostics.add(jump.pointer, "must name a rescue step; '\(jump.target)' is in the main flow")
            case _ where flow != jump.flow:
                diagnostics.add(jump.pointer, "must name a step of \(Self.describe(jump.flow)); '\(jump.target)' is in \(Self.describe(flow))")
            default:
                break
            }
        }
    }

    private static func describe(_ flow: DefinitionGraph.Flow) -> String {
        switch flow {
        case .main: "the main flow"
        case .rescue: "the rescue steps"
        case .branch(let step, let branch): "branch \(branch) of parallel step \(step)"
        }
    }

    static func isValidStepId(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count)
            && id.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                    true
                default: false
                }
            }
    }
}

/// Parses a `RetryPolicy` object, defaults filled in.
enum RetryPolicyParser {
    static func parse(_ value: JSONValue, at pointer: String, _ diagnostics: Diagnostics) -> RetryPolicy? {
        guard var reader = MemberReader(value, at: pointer, diagnostics) else { return nil }
        var policy = RetryPolicy()
        let before = diagnostics.errors.count
        if let attempts = reader.int("maxAttempts", in: 1...100) { policy.maxAttempts = attempts }
        if let text = reader.string("backoff", maxLength: 16) {
            if let backoff = RetryPolicy.Backoff(rawValue: text) {
                policy.backoff = backoff
            } else {
                diagnostics.add(reader.at("backoff"), "must be fixed or exponential")
            }
        }
        if let initial = reader.seconds("initialDelaySeconds", in: 0...86_400) { policy.initialDelaySeconds = initial }
        if let max = reader.seconds("maxDelaySeconds", in: 0...(7 * 86_400)) { policy.maxDelaySeconds = max }
        if let jitter = reader.bool("jitter") { policy.jitter = jitter }
        if policy.initialDelaySeconds > policy.maxDelaySeconds {
            diagnostics.add(reader.at("initialDelaySeconds"), "must not exceed maxDelaySeconds (\(policy.maxDelaySeconds))")
        }
        reader.finish(what: "a retry policy member")
        return diagnostics.errors.count == before ? policy : nil
    }
}
