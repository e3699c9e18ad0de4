import CaseworkerCore

/// Translates a Conductor workflow definition (the `PUT /api/metadata/workflow` body) into a
/// native one. Pure; see `DefinitionImporter`.
///
/// The definition's members (the tasks: `ConductorTranslator+Tasks.swift`):
///
/// - `name` → `name`, and the suggested id when it is a valid definition id; `description` →
///   `description`; `ownerEmail` → `owner`.
/// - `version`, `createTime`, `updateTime`, `createdBy`, `updatedBy` are ignored: Conductor's
///   bookkeeping; Caseworker numbers its own versions and records who saved them.
/// - `tasks` → `steps`.
/// - `outputParameters` → `output` (templates translated); `{}` is ignored: the result is then
///   the last step's output, as in Conductor.
/// - `failureWorkflow`: `""` is ignored (none), a definition id is mapped, anything else refused.
/// - `timeoutSeconds` → `timeoutSeconds`; `timeoutPolicy` → `timeoutPolicy`; an absent
///   `timeoutPolicy` is written out as `ALERT_ONLY`, Conductor's default (the native default is
///   `TIME_OUT_WF`).
/// - `variables` (initial values) → `initialState`; `{}` is ignored.
/// - `rateLimitConfig {rateLimitKey, concurrentExecLimit}` → `rateLimit {key, concurrentExecLimit}`
///   (the key's templates translated); an empty key with a limit of 0 is ignored (no limit).
/// - `enforceSchema` is ignored: `true` cannot be honoured without an inline schema (Conductor's
///   `inputSchema` names a schema in its registry, which is not part of the body; the reference
///   is kept in metadata), `false` is the native default.
/// - `inputParameters` (a list of names, documentation only) is kept; `[]` is ignored.
/// - `inputTemplate` `{}` is ignored; anything else is refused: Caseworker has no input defaults.
/// - `schemaVersion`, `restartable`, `workflowStatusListenerEnabled`,
///   `workflowStatusListenerSink`, `tags`, `ownerApp`, `accessPolicy`, `maskedFields`,
///   `metadata`, `inputSchema`, `outputSchema` and every unknown member are kept in
///   `metadata.conductor`.
struct ConductorTranslator {
    var report = ReportBuilder(format: .conductor)
    let templates: ConductorTemplates

    init(taskTypes: [String: String]) {
        templates = ConductorTemplates(taskTypes: taskTypes)
    }

    static let bookkeeping: Set<String> = ["version", "createTime", "updateTime", "createdBy", "updatedBy"]

    static func translate(_ body: JSONValue) -> ImportResult {
        guard case .object(let members) = body else {
            var report = ReportBuilder(format: .conductor)
            report.refuse("", "must be a JSON object (a Conductor workflow definition), got \(body.typeName)")
            return ImportResult(definition: .object([:]), suggestedId: nil, isDraft: nil, report: report.report)
        }
        var types: [String: String] = [:]
        collectTaskTypes(members["tasks"], into: &types)
        var translator = ConductorTranslator(taskTypes: types)
        return translator.translateDefinition(members)
    }

    /// Every task's `taskReferenceName` and `type`, at any depth (switch cases, forks, loops).
    static func collectTaskTypes(_ tasks: JSONValue?, into types: inout [String: String]) {
        for task in tasks?.arrayValue ?? [] {
            guard case .object(let members) = task else { continue }
            if let ref = members["taskReferenceName"]?.stringValue, types[ref] == nil {
                types[ref] = members["type"]?.stringValue ?? ""
            }
            for branch in members["decisionCases"]?.objectValue?.values.map({ $0 }) ?? [] { collectTaskTypes(branch, into: &types) }
            collectTaskTypes(members["defaultCase"], into: &types)
            collectTaskTypes(members["loopOver"], into: &types)
            for fork in members["forkTasks"]?.arrayValue ?? [] { collectTaskTypes(fork, into: &types) }
        }
    }

    mutating func translateDefinition(_ members: [String: JSONValue]) -> ImportResult {
        var native: [String: JSONValue] = [:]
        var suggestedId: String?
        if members["name"] == nil {
            report.refuse("/name", "is required: a Conductor definition is named by its name, which becomes the native name")
        }
        if members["tasks"] == nil {
            report.refuse("/tasks", "is required: the tasks become the native steps")
        }
        if members["timeoutPolicy"] == nil {
            native["timeoutPolicy"] = "ALERT_ONLY"
            report.defaulted("/timeoutPolicy", to: "/timeoutPolicy", value: "ALERT_ONLY")
        }
        for key in members.keys.sorted() {
            let value = members[key]!
            let pointer = JSONPointer.appending(key, to: "")
            switch key {
            case "name":
                guard let name = string(value, at: pointer) else { continue }
                native["name"] = .string(name)
                report.map(pointer, to: "/name")
                if DefinitionID.isValid(name) { suggestedId = name }
            case "description":
                copyString(value, at: pointer, to: "description", in: &native)
            case "ownerEmail":
                copyString(value, at: pointer, to: "owner", in: &native)
            case _ where Self.bookkeeping.contains(key):
                report.ignore(pointer, "Conductor's bookkeeping: Caseworker numbers its own versions and records who saved them, and when")
            case "tasks":
                guard case .array(let tasks) = value, !tasks.isEmpty else {
                    report.refuse(pointer, "must be a non-empty array of tasks, got \(value.arrayValue == nil ? value.typeName : "[]")")
                    continue
                }
                report.map(pointer, to: "/steps")
                native["steps"] = .array(translateTasks(tasks, at: pointer, to: "/steps", then: .end))
            case "outputParameters":
                if value.isEmptyValue {
                    report.ignore(pointer, "empty: the run's result is the last step's output, as in Conductor")
                } else {
                    report.map(pointer, to: "/output", coveringValue: true)
                    native["output"] = templates.translate(value, at: pointer, &report)
                }
            case "failureWorkflow":
                guard let name = string(value, at: pointer) else { continue }
                if name.isEmpty {
                    report.ignore(pointer, "empty: no failure workflow")
                } else if DefinitionID.isValid(name) {
                    native["failureWorkflow"] = .string(name)
                    report.map(pointer, to: "/failureWorkflow")
                } else {
                    report.refuse(pointer, "'\(name)' is not a definition id (1–128 letters, digits, '-', '_', '.'): import the failure workflow under a valid id and name it here")
                }
            case "timeoutSeconds":
                native["timeoutSeconds"] = value
                report.map(pointer, to: "/timeoutSeconds")
            case "timeoutPolicy":
                guard let policy = string(value, at: pointer) else { continue }
                if ["ALERT_ONLY", "TIME_OUT_WF"].contains(policy) {
                    native["timeoutPolicy"] = value
                    report.map(pointer, to: "/timeoutPolicy")
                } else {
                    report.refuse(pointer, "'\(policy)' is not a timeout policy Caseworker has (ALERT_ONLY, TIME_OUT_WF)")
                }
            case "variables":
                if value.isEmptyValue {
                    report.ignore(pointer, "empty: no initial variables")
                } else if value.objectValue != nil {
                    native["initialState"] = value
                    report.map(pointer, to: "/initialState", coveringValue: true)
                } else {
                    report.refuse(pointer, "must be an object of variable names to initial values, got \(value.typeName)")
                }
            case "rateLimitConfig":
                translateRateLimit(value, at: pointer, into: &native)
            case "enforceSchema":
                if value == .bool(true) {
                    report.ignore(pointer,
                        "Conductor's inputSchema names a schema in its registry, which is not part of the body (the reference "
                            + "is kept in metadata): to enforce a schema, add an inline inputSchema and enforceSchema: true")
                } else {
                    report.ignore(pointer, "false: the input is not checked, as by default in Caseworker")
                }
            case "inputParameters":
                if value.isEmptyValue {
                    report.ignore(pointer, "empty: the workflow documents no input names")
                } else {
                    report.keep(pointer, value, at: [key])
                }
            case "inputTemplate":
                if value.isEmptyValue {
                    report.ignore(pointer, "empty: no input defaults")
                } else {
                    report.refuse(pointer,
                        "Caseworker has no input defaults: declare variables with defaults (variables: {x: {type, default}}) "
                            + "and read ${params.x} instead of the input")
                }
            default:
                report.keep(pointer, value, at: [key])
            }
        }
        if let metadata = report.metadata { native["metadata"] = metadata }
        return ImportResult(definition: .object(native), suggestedId: suggestedId, isDraft: nil, report: report.report)
    }

    private mutating func translateRateLimit(_ value: JSONValue, at pointer: String, into native: inout [String: JSONValue]) {
        guard case .object(let members) = value else {
            report.refuse(pointer, "must be an object {rateLimitKey, concurrentExecLimit}, got \(value.typeName)")
            return
        }
        let keyPointer = JSONPointer.appending("rateLimitKey", to: pointer)
        let limitPointer = JSONPointer.appending("concurrentExecLimit", to: pointer)
        if (members["rateLimitKey"]?.isEmptyValue ?? true) && (members["concurrentExecLimit"]?.intValue ?? 0) == 0 {
            report.ignore(pointer, "no key and no limit: the workflow is not rate-limited")
            return
        }
        report.map(pointer, to: "/rateLimit")
        var limit: [String: JSONValue] = [:]
        for key in members.keys.sorted() {
            let member = members[key]!
            let memberPointer = JSONPointer.appending(key, to: pointer)
            switch key {
            case "rateLimitKey":
                guard string(member, at: memberPointer) != nil else { continue }
                limit["key"] = templates.translate(member, at: memberPointer, &report)
                report.map(memberPointer, to: "/rateLimit/key")
            case "concurrentExecLimit":
                limit["concurrentExecLimit"] = member
                report.map(memberPointer, to: "/rateLimit/concurrentExecLimit")
            default:
                report.keep(memberPointer, member, at: ["rateLimitConfig", key])
            }
        }
        if members["rateLimitKey"] == nil { report.refuse(keyPointer, "is required: the rate limit counts runs per key") }
        if members["concurrentExecLimit"] == nil { report.refuse(limitPointer, "is required: the rate limit needs its limit") }
        native["rateLimit"] = .object(limit)
    }

    /// `value` as a string, or `nil` after refusing it.
    mutating func string(_ value: JSONValue, at pointer: String) -> String? {
        if let text = value.stringValue { return text }
        report.refuse(pointer, "must be a string, got \(value.typeName)")
        return nil
    }

    /// A string member copied to `name` (an empty one is ignored).
    mutating func copyString(
        _ value: JSONValue, at pointer: String, to name: String, under base: String = "", in object: inout [String: JSONValue]
    ) {
        guard let text = string(value, at: pointer) else { return }
        if text.isEmpty {
            report.ignore(pointer, "empty")
        } else {
            object[name] = value
            report.map(pointer, to: JSONPointer.appending(name, to: base))
        }
    }
}
