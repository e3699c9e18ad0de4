import CaseworkerCore

/// Translates an Invopop transform workflow (the `PUT /transform/v1/workflows/{id}` body) into
/// a native one. Pure; see `DefinitionImporter`.
///
/// - `name`, `description` → the same; `draft` → `ImportResult.isDraft` (reported mapped to
///   `/isDraft`, the save option); `id` → the suggested id when valid (a native body names no
///   id); `country`, `schema` and unknown members are kept in `metadata.invopop`.
/// - `steps`, `rescue` → `steps`, `rescue`. A step's `id` (UUIDs are valid step ids), `name`,
///   `notes`, `summary` → the same; unknown step members are kept in
///   `metadata.invopop.steps.<id>`.
/// - `action`: the native actions (`http.request`, `transform`, `switch`, `wait`, `await`,
///   `workflow.run`, `complete`, `fail`, `event.emit`, `exec`) pass through with their `config`. Any
///   other (a provider action such as `email.send`) is refused unless the action map gives an
///   `http.request` config template for it: the step then becomes `http.request` with the
///   template filled with its config (`ActionMapSubstitution`).
/// - An empty step `{}` (the editor's placeholder for a step not chosen yet) is ignored: nothing
///   runs.
/// - `next: [{status, code, step_id, steps, stop}]` → `{status, code, stepId, steps, stop}`;
///   `status: ""` matches any status and `code: ""` any code (both ignored: no condition);
///   `stop: false` is ignored. A native rule has one target: non-empty `steps` are taken first,
///   then `step_id`, then `stop: true`; the others are ignored, saying which was taken. `steps`
///   made only of placeholders lose their target. A rule left without a target is refused.
struct InvopopTranslator {
    var report = ReportBuilder(format: .invopop)
    let actionMap: [String: JSONValue]

    static let nativeStatuses: Set<String> = Set(StepOutcome.Status.allCases.map(\.rawValue))

    static func translate(_ body: JSONValue, actionMap: [String: JSONValue]) -> ImportResult {
        var translator = InvopopTranslator(actionMap: actionMap)
        guard case .object(let members) = body else {
            translator.report.refuse("", "must be a JSON object (an Invopop workflow), got \(body.typeName)")
            return ImportResult(definition: .object([:]), suggestedId: nil, isDraft: nil, report: translator.report.report)
        }
        return translator.translateWorkflow(members)
    }

    mutating func translateWorkflow(_ members: [String: JSONValue]) -> ImportResult {
        var native: [String: JSONValue] = [:]
        var suggestedId: String?
        var isDraft: Bool?
        if members["name"] == nil { report.refuse("/name", "is required: it becomes the native name") }
        if members["steps"] == nil { report.refuse("/steps", "is required: a workflow needs at least one step") }
        for key in members.keys.sorted() {
            let value = members[key]!
            let pointer = JSONPointer.appending(key, to: "")
            switch key {
            case "name", "description":
                guard value.stringValue != nil else {
                    report.refuse(pointer, "must be a string, got \(value.typeName)")
                    continue
                }
                native[key] = value
                report.map(pointer, to: pointer)
            case "draft":
                guard let draft = value.boolValue else {
                    report.refuse(pointer, "must be a boolean, got \(value.typeName)")
                    continue
                }
                isDraft = draft
                report.map(pointer, to: "/isDraft")
            case "id":
                if let id = value.stringValue, DefinitionID.isValid(id) {
                    suggestedId = id
                    report.ignore(pointer, "the definition id: suggested as the id to save under (a native body names no id)")
                } else {
                    report.keep(pointer, value, at: [key])
                }
            case "steps", "rescue":
                guard case .array(let steps) = value else {
                    report.refuse(pointer, "must be an array of steps, got \(value.typeName)")
                    continue
                }
                report.map(pointer, to: pointer)
                let translated = translateSteps(steps, at: pointer, to: pointer)
                if key == "steps", translated.isEmpty {
                    report.refuse(pointer, "has no step to run (empty placeholders only): a workflow needs at least one step")
                }
                if key == "steps" || !translated.isEmpty { native[key] = .array(translated) }
            default:
                report.keep(pointer, value, at: [key])
            }
        }
        if let metadata = report.metadata { native["metadata"] = metadata }
        return ImportResult(definition: .object(native), suggestedId: suggestedId, isDraft: isDraft, report: report.report)
    }

    /// The steps at `pointer` as the native list at `target` (placeholders left out).
    mutating func translateSteps(_ steps: [JSONValue], at pointer: String, to target: String) -> [JSONValue] {
        var translated: [JSONValue] = []
        for (index, step) in steps.enumerated() {
            let stepPointer = JSONPointer.appending(index, to: pointer)
            if step == .object([:]) {
                report.ignore(stepPointer, "an empty step: the Invopop editor's placeholder for a step not chosen yet; nothing runs")
                continue
            }
            if let native = translateStep(step, at: stepPointer, to: JSONPointer.appending(translated.count, to: target)) {
                translated.append(native)
            }
        }
        return translated
    }

    mutating func translateStep(_ value: JSONValue, at pointer: String, to target: String) -> JSONValue? {
        guard case .object(let members) = value else {
            report.refuse(pointer, "must be a step object, got \(value.typeName)")
            return nil
        }
        func at(_ key: String) -> String { JSONPointer.appending(key, to: pointer) }
        func native(_ key: String) -> String { JSONPointer.appending(key, to: target) }
        let id = members["id"]?.stringValue
        let keptBase = ["steps", id ?? pointer]
        var step: [String: JSONValue] = [:]
        if members["id"] == nil { report.refuse(at("id"), "is required: every step needs an id") }
        if members["action"] == nil { report.refuse(at("action"), "is required: every step has an action") }
        var action = members["action"]?.stringValue
        for key in members.keys.sorted() {
            let member = members[key]!
            switch key {
            case "id":
                guard let id, ConductorTranslator.isStepId(id) else {
                    report.refuse(at(key), "\(JSONText.encode(member)) is not a valid step id (1–64 letters, digits, '_' or '-')")
                    continue
                }
                step["id"] = member
                report.map(at(key), to: native(key))
            case "name", "notes", "summary":
                guard member.stringValue != nil else {
                    report.refuse(at(key), "must be a string, got \(member.typeName)")
                    continue
                }
                step[key] = member
                report.map(at(key), to: native(key))
            case "action":
                guard let name = action else {
                    report.refuse(at(key), "must be a string, got \(member.typeName)")
                    continue
                }
                if ActionName(rawValue: name) != nil {
                    report.map(at(key), to: native(key))
                } else if let template = actionMap[name] {
                    if template.objectValue != nil {
                        action = ActionName.httpRequest.rawValue
                        report.map(at(key), to: native(key))
                    } else {
                        report.refuse(at(key), "the action map's template for \(name) must be an http.request config object")
                    }
                } else {
                    report.refuse(at(key),
                        "\(name) is an unmapped provider action: map it to an http.request config with --map-action \(name)=FILE or ?actionMap=")
                }
            case "config":
                guard member.objectValue != nil else {
                    report.refuse(at(key), "must be an object, got \(member.typeName)")
                    continue
                }
                report.map(at(key), to: native(key), coveringValue: true)
            case "next":
                guard case .array(let rules) = member else {
                    report.refuse(at(key), "must be an array of rules, got \(member.typeName)")
                    continue
                }
                report.map(at(key), to: native(key))
                let translated = translateRules(rules, at: at(key), to: native(key), kept: keptBase)
                if !translated.isEmpty { step["next"] = .array(translated) }
            default:
                report.keep(at(key), member, at: keptBase + [key])
            }
        }
        if let action { step["action"] = .string(action) }
        let config = members["config"]?.objectValue.map(JSONValue.object) ?? .object([:])
        if let name = members["action"]?.stringValue, ActionName(rawValue: name) == nil, let template = actionMap[name], template.objectValue != nil {
            step["config"] = ActionMapSubstitution.substitute(template, config: config)
        } else if members["config"] != nil {
            step["config"] = config
        }
        return .object(step)
    }

    mutating func translateRules(_ rules: [JSONValue], at pointer: String, to target: String, kept: [String]) -> [JSONValue] {
        var translated: [JSONValue] = []
        for (index, value) in rules.enumerated() {
            let rulePointer = JSONPointer.appending(index, to: pointer)
            guard case .object(let members) = value else {
                report.refuse(rulePointer, "must be a rule object, got \(value.typeName)")
                continue
            }
            if let rule = translateRule(
                members, at: rulePointer, to: JSONPointer.appending(translated.count, to: target), kept: kept + ["next", String(index)])
            {
                translated.append(rule)
            }
        }
        return translated
    }

    /// A next rule; `nil` after refusing one left without a target.
    mutating func translateRule(_ members: [String: JSONValue], at pointer: String, to target: String, kept: [String]) -> JSONValue? {
        func at(_ key: String) -> String { JSONPointer.appending(key, to: pointer) }
        func native(_ key: String) -> String { JSONPointer.appending(key, to: target) }
        var rule: [String: JSONValue] = [:]
        /// The targets given, in the order they are preferred: (member, native member, value).
        var targets: [(key: String, native: String, value: JSONValue)] = []
        for key in members.keys.sorted() {
            let member = members[key]!
            switch key {
            case "status":
                guard let status = member.stringValue, status.isEmpty || Self.nativeStatuses.contains(status) else {
                    report.refuse(at(key), "\(JSONText.encode(member)) is not a status (OK, KO, or empty for any)")
                    continue
                }
                if status.isEmpty {
                    report.ignore(at(key), "empty: matches any status, as a rule without status does")
                } else {
                    rule["status"] = member
                    report.map(at(key), to: native(key))
                }
            case "code":
                guard let code = member.stringValue else {
                    report.refuse(at(key), "must be a string, got \(member.typeName)")
                    continue
                }
                if code.isEmpty {
                    report.ignore(at(key), "empty: matches any code, as a rule without code does")
                } else {
                    rule["code"] = member
                    report.map(at(key), to: native(key))
                }
            case "steps", "step_id", "stop":
                continue  // the targets, below
            default:
                report.keep(at(key), member, at: kept + [key])
            }
        }
        if let value = members["steps"] {
            if case .array(let steps) = value {
                let branch = translateSteps(steps, at: at("steps"), to: native("steps"))
                if branch.isEmpty {
                    report.ignore(at("steps"), steps.isEmpty ? "empty: no steps to run" : "only empty placeholder steps: nothing to run, so the rule takes its other target")
                } else {
                    targets.append(("steps", "steps", .array(branch)))
                }
            } else {
                report.refuse(at("steps"), "must be an array of steps, got \(value.typeName)")
            }
        }
        if let value = members["step_id"] {
            if let id = value.stringValue, !id.isEmpty {
                targets.append(("step_id", "stepId", value))
            } else if value.stringValue != nil {
                report.ignore(at("step_id"), "empty: no step to go to")
            } else {
                report.refuse(at("step_id"), "must be a step id, got \(value.typeName)")
            }
        }
        if let value = members["stop"] {
            switch value {
            case .bool(true): targets.append(("stop", "stop", value))
            case .bool(false): report.ignore(at("stop"), "false: the rule does not stop the run")
            default: report.refuse(at("stop"), "must be a boolean, got \(value.typeName)")
            }
        }
        guard let taken = targets.first else {
            report.refuse(pointer, "has no target: give it steps, a step_id or stop: true")
            return nil
        }
        // Non-empty `steps` too: the branch is mapped as a whole here, its steps one by one above.
        report.map(at(taken.key), to: native(taken.native))
        rule[taken.native] = taken.value
        for other in targets.dropFirst() {
            report.ignore(at(other.key), "a rule has one target; the earlier one (\(taken.key)) is taken")
        }
        return .object(rule)
    }
}
