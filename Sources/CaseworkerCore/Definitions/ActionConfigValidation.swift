/// The configuration each action accepts (SPEC 2.5), checked when a definition is saved.
///
/// String values are templates (already parsed by the caller); a member that must be a literal
/// (a method, a signal name) is checked when it holds no `${...}`; a numeric member may be one
/// `${...}` expression, checked when the step runs (`ComputedNumber`). Unknown members are refused.
enum ActionConfigValidation {
    static let httpMethods: Set<String> = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]

    /// `rules` is `nil` when a stored version is loaded: what the installation allows is checked
    /// at save only (a program removed since is refused when the step runs).
    static func check(_ action: ActionName, config: JSONValue?, at pointer: String, rules: DefinitionRules?, _ diagnostics: Diagnostics) {
        let value = config ?? .object([:])
        guard var reader = MemberReader(value, at: pointer, diagnostics) else { return }
        let what = "a config member of \(action.rawValue)"
        switch action {
        case .httpRequest:
            if let method = reader.string("method", maxLength: 16), !isTemplate(method), !httpMethods.contains(method) {
                diagnostics.add(reader.at("method"), "must be one of \(httpMethods.sorted().joined(separator: ", "))")
            }
            _ = reader.string("url", required: true, maxLength: 8192)
            stringMap(&reader, "headers")
            stringMap(&reader, "query")
            _ = reader.value("body")
        case .transform:
            if let set = reader.required("set") {
                if case .object(let members) = set, !members.isEmpty {
                    for name in members.keys.sorted() where !VariableDeclarations.isValidName(name) {
                        diagnostics.add(
                            JSONPointer.appending(name, to: reader.at("set")),
                            "is not a valid state key (must match [A-Za-z_][A-Za-z0-9_]{0,63})")
                    }
                } else {
                    diagnostics.add(reader.at("set"), "must be a non-empty object of state keys to values")
                }
            }
        case .switch:
            _ = reader.string("value", required: true, maxLength: 8192)
        case .wait:
            let given = ["seconds", "until"].filter { reader.members[$0].map { !$0.isNull } ?? false }
            if given.count != 1 { diagnostics.add(pointer, "must have exactly one of seconds or until") }
            _ = reader.string("until", maxLength: 8192)
        case .await:
            if let signal = reader.string("signal", required: true, maxLength: 64), !Identifier.matches(signal, maxLength: 64) {
                diagnostics.add(reader.at("signal"), "must be 1–64 letters, digits, '.', '_' or '-'")
            }
        case .workflowRun:
            if let id = reader.string("workflowDefinitionId", required: true, maxLength: 128), !isTemplate(id), !DefinitionID.isValid(id) {
                diagnostics.add(reader.at("workflowDefinitionId"), "must be a definition id (1–128 letters, digits, '-', '_', '.')")
            }
            _ = reader.value("input")
            _ = reader.string("parametersId", maxLength: 128)
        case .complete:
            _ = reader.value("result")
        case .fail:
            _ = reader.string("reason", required: true, maxLength: 8192)
            _ = reader.string("code", maxLength: 128)
        case .eventEmit:
            if let type = reader.string("type", required: true, maxLength: 8192), !isTemplate(type), !WebhookEventType.isCustomName(type) {
                let reason =
                    type.hasPrefix("workflow.")
                    ? "must not be in the workflow. namespace, which is Caseworker's own events'"
                    : "must match [a-z][a-z0-9_.-]* (at most \(WebhookEventType.maxCustomLength) characters)"
                diagnostics.add(reader.at("type"), reason)
            }
            _ = reader.value("data")
        case .task:
            // A literal: queue names are metric labels, which must never carry case data.
            if let queue = reader.string("queue", required: true, maxLength: 64), isTemplate(queue) || !WorkerTask.isValidQueue(queue) {
                diagnostics.add(reader.at("queue"), "must be a queue name, 1–48 letters, digits, '.', '_' or '-' (not a template)")
            }
            _ = reader.value("input")
            if reader.members["timeoutSeconds"].map(\.isNull) ?? true { diagnostics.add(reader.at("timeoutSeconds"), "is required") }
        case .parallel:
            // Parsed with its steps by the definition's parser (`parseParallel`).
            return
        case .exec:
            execProgram(&reader, rules: rules)
            if let args = reader.array("args") {
                if args.count > ExecArguments.maxCount { diagnostics.add(reader.at("args"), "must have at most \(ExecArguments.maxCount) arguments") }
                for (index, argument) in args.enumerated() where (argument.stringValue?.codePointCount).map({ $0 > ExecArguments.maxLength }) ?? true {
                    diagnostics.add(JSONPointer.appending(index, to: reader.at("args")), "must be a string of at most \(ExecArguments.maxLength) characters")
                }
            }
            _ = reader.value("input")
            _ = reader.required("timeoutSeconds")
        }
        for (key, rule) in ComputedNumber.members(of: action) { numeric(&reader, key, rule) }
        reader.finish(what: what)
    }

    /// A numeric member: a literal that follows `rule`, or exactly one `${...}` expression.
    private static func numeric(_ reader: inout MemberReader, _ key: String, _ rule: ComputedNumber.Rule) {
        guard let value = reader.value(key) else { return }
        if case .string(let text) = value {
            if (try? Template(parsing: text))?.singleExpression == nil {
                reader.diagnostics.add(reader.at(key), "\(rule.problem(.null)!), or exactly one ${...} expression that computes one")
            }
            return
        }
        if let problem = rule.problem(value) { reader.diagnostics.add(reader.at(key), problem) }
    }

    /// `program`: a literal name of `engine.exec.programs` (a template could name any of them).
    private static func execProgram(_ reader: inout MemberReader, rules: DefinitionRules?) {
        guard let program = reader.string("program", required: true, maxLength: 64) else { return }
        if isTemplate(program) {
            reader.diagnostics.add(reader.at("program"), "must be a literal program name, not a template")
        } else if let rules, !rules.execPrograms.contains(program) {
            let known =
                rules.execPrograms.isEmpty
                ? "none is listed: an operator lists programs in engine.exec.programs"
                : "known: \(rules.execPrograms.sorted().joined(separator: ", "))"
            reader.diagnostics.add(reader.at("program"), "names no program of engine.exec.programs (\(known))")
        }
    }

    private static func isTemplate(_ text: String) -> Bool { text.contains("${") }

    private static func stringMap(_ reader: inout MemberReader, _ key: String) {
        guard let members = reader.object(key) else { return }
        for name in members.keys.sorted() where members[name]?.stringValue == nil {
            reader.diagnostics.add(JSONPointer.appending(name, to: reader.at(key)), "must be a string")
        }
    }
}
