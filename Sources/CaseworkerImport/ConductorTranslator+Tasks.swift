import CaseworkerCore

/// One Conductor task being translated: its members, where it is, and where its step goes.
struct ConductorTask {
    let members: [String: JSONValue]
    /// The task in the foreign body.
    let pointer: String
    /// The step in the native body.
    let target: String
    let ref: String

    /// The pointer of a member (or a member's member) of the task.
    func at(_ keys: String...) -> String { keys.reduce(pointer) { JSONPointer.appending($1, to: $0) } }
    /// The pointer of a member of the native step.
    func native(_ keys: String...) -> String { keys.reduce(target) { JSONPointer.appending($1, to: $0) } }
    /// Where a member of this task is kept: `metadata.conductor.tasks.<ref>.<keys…>`.
    func kept(_ keys: String...) -> [String] { kept(keys) }
    func kept(_ keys: [String]) -> [String] { ["tasks", ref] + keys }
}

/// The tasks (`tasks`, switch cases) as native steps.
///
/// Every task becomes one step (a `startDelay` adds a `wait` step before it):
///
/// - `taskReferenceName` → the step `id` (refused unless 1–64 of `[A-Za-z0-9_-]`); `name` →
///   `name`; `description` → `notes`; `type` → `action` and `config` (`+TaskTypes.swift`).
/// - `optional: true` → next rules `{status: KO}` and `{status: TIMEOUT}` going where the run goes
///   after the task (the following step, also out of a switch case; `stop: true`, which
///   completes the run, after the last step of the workflow).
/// - `startDelay` > 0 → a `wait {seconds}` step with id `<ref>_delay` before the task (refused when
///   that id is taken or too long). Conductor delays scheduling the task; the wait does the same,
///   durably.
/// - `retryCount` (the task's, else its `taskDefinition`'s), `taskDefinition.retryLogic`
///   (`FIXED` → `fixed`, `EXPONENTIAL_BACKOFF` → `exponential`, `LINEAR_BACKOFF` refused) and
///   `retryDelaySeconds` → `retry {maxAttempts: retryCount + 1, backoff, initialDelaySeconds,
///   maxDelaySeconds: max(300, initialDelaySeconds), jitter: false}`, with the absent ones
///   defaulted to Conductor's task definition defaults (3 retries, `FIXED`, 60 s). No retry
///   member: no `retry`, the native default applies (Conductor's comes from its registry).
///   `taskDefinition.timeoutSeconds` > 0 → the step's `timeoutSeconds`.
/// - `asyncComplete: true` and `permissive: true` are refused (no equivalent).
/// - `false`, `0` defaults and empty values (`decisionCases: {}`, `joinOn: []`, …) are ignored;
///   any other member is kept in `metadata.conductor.tasks.<ref>`.
/// - A task of a refused type is not translated: the type is refused, its other members are
///   ignored with a pointer to that refusal.
extension ConductorTranslator {
    /// Where a run goes after a list of steps ends.
    enum Continuation: Hashable {
        /// The step with this id (the one after the list's owner).
        case step(String)
        /// The end of the workflow: the run completes.
        case end

        /// A next rule's target going there.
        var ruleTarget: [String: JSONValue] {
            switch self {
            case .step(let id): ["stepId": .string(id)]
            case .end: ["stop": true]
            }
        }
    }

    /// What a task type gives its step.
    struct StepPlan {
        var action: String
        var config: [String: JSONValue] = [:]
        /// Rules that go before an optional task's KO and TIMEOUT rules (a switch's cases).
        var rules: [JSONValue] = []
        /// The rule that goes last (a switch's default case).
        var lastRule: JSONValue?
    }

    static let translatedTypes: Set<String> = [
        "HTTP", "SWITCH", "DECISION", "WAIT", "SUB_WORKFLOW", "TERMINATE", "SET_VARIABLE", "EVENT", "HUMAN", "SIMPLE", "FORK_JOIN", "JOIN",
    ]

    /// Why each known untranslatable type is refused.
    static let refusedTypes: [String: String] = [
        "FORK_JOIN_DYNAMIC": "FORK_JOIN_DYNAMIC decides its branches at run time, and a parallel step's branches are fixed when saved: use a FORK_JOIN with the possible branches",
        "EXCLUSIVE_JOIN": "EXCLUSIVE_JOIN joins whichever branch a decision took, which native parallel steps do not: use a SWITCH instead of the fork",
        "DO_WHILE": "DO_WHILE loops have no native step: write the loop by hand as a next rule jumping back (stepId) with a when condition",
        "DYNAMIC": "DYNAMIC chooses the task's type at run time, and native steps are fixed when saved: use a SWITCH over the possible tasks",
        "INLINE": "INLINE runs JavaScript, and Caseworker has no JavaScript engine: compute the values with a SET_VARIABLE task (a transform step) and native expressions",
        "LAMBDA": "LAMBDA runs JavaScript, and Caseworker has no JavaScript engine: compute the values with a SET_VARIABLE task (a transform step) and native expressions",
        "JSON_JQ_TRANSFORM": "JSON_JQ_TRANSFORM runs jq, and Caseworker has no jq engine: compute the values with a SET_VARIABLE task (a transform step) and native expressions",
        "KAFKA_PUBLISH": "KAFKA_PUBLISH needs a Kafka client, which Caseworker does not have: publish through an HTTP task (e.g. to a Kafka REST proxy) or an EVENT task (event.emit to webhook endpoints)",
        "START_WORKFLOW": "START_WORKFLOW starts a workflow without waiting for it, and workflow.run waits for its child run: use SUB_WORKFLOW if waiting is acceptable, or an HTTP task calling the Caseworker API",
    ]

    /// Members whose value here is Conductor's default, which means nothing to translate.
    static let taskDefaults: [String: JSONValue] = [
        "optional": false, "startDelay": 0, "asyncComplete": false, "permissive": false, "rateLimited": false,
    ]

    static func delayStepId(_ ref: String) -> String { ref + "_delay" }

    /// The id of the first native step a task becomes.
    static func firstStepId(of task: JSONValue) -> String? {
        guard let ref = task["taskReferenceName"]?.stringValue else { return nil }
        return (task["startDelay"]?.intValue ?? 0) > 0 ? delayStepId(ref) : ref
    }

    /// 1–64 letters, digits, `_` or `-`: a native step id.
    static func isStepId(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count)
            && id.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-") }
    }

    /// Translates a list of tasks at `pointer` into the steps of the native list at `target`;
    /// after its last step the run goes to `continuation`.
    ///
    /// A `FORK_JOIN` and the `JOIN` after it become one `parallel` step (`forkPlan`): the run goes
    /// from it to the task after the `JOIN`, whose members are accounted for by `translateJoin`.
    mutating func translateTasks(_ tasks: [JSONValue], at pointer: String, to target: String, then continuation: Continuation) -> [JSONValue] {
        var steps: [JSONValue] = []
        var index = 0
        while index < tasks.count {
            let isFork = tasks[index]["type"] == "FORK_JOIN"
            let joined = isFork && index + 1 < tasks.count && tasks[index + 1]["type"] == "JOIN"
            let after = joined ? index + 2 : index + 1
            var following = continuation
            if after < tasks.count, let next = Self.firstStepId(of: tasks[after]) { following = .step(next) }
            let taskPointer = JSONPointer.appending(index, to: pointer)
            if isFork, !joined {
                report.refuse(JSONPointer.appending("type", to: taskPointer), "a FORK_JOIN must be followed by its JOIN, which ends the parallel branches")
            }
            if tasks[index]["type"] == "JOIN" {
                report.refuse(JSONPointer.appending("type", to: taskPointer), "a JOIN must follow the FORK_JOIN whose branches it joins")
            }
            let stepIndex = steps.count
            steps += translateTask(tasks[index], at: taskPointer, list: target, index: stepIndex, following: following)
            if joined {
                translateJoin(tasks[index + 1], at: JSONPointer.appending(index + 1, to: pointer), fork: tasks[index],
                    parallel: JSONPointer.appending(stepIndex + (steps.count - stepIndex - 1), to: target))
            }
            index = after
        }
        return steps
    }

    /// The steps (none, one, or a delay and one) of the task at `pointer`, the first of them at
    /// `index` of the native list `list`.
    mutating func translateTask(_ value: JSONValue, at pointer: String, list: String, index: Int, following: Continuation) -> [JSONValue] {
        guard case .object(let members) = value else {
            report.refuse(pointer, "must be a task object, got \(value.typeName)")
            return []
        }
        let refPointer = JSONPointer.appending("taskReferenceName", to: pointer)
        let typePointer = JSONPointer.appending("type", to: pointer)
        guard let ref = members["taskReferenceName"]?.stringValue, !ref.isEmpty, let type = members["type"]?.stringValue else {
            if members["taskReferenceName"]?.stringValue?.isEmpty ?? true {
                report.refuse(refPointer, members["taskReferenceName"].map { "must be a non-empty string, got \($0.typeName)" } ?? "is required: it becomes the step id")
            }
            if members["type"]?.stringValue == nil {
                report.refuse(typePointer, members["type"].map { "must be a string, got \($0.typeName)" } ?? "is required: it decides the step's action")
            }
            abandon(members, at: pointer, because: "not translated: the task lacks a taskReferenceName or a type (see their refusals)")
            return []
        }
        if let reason = Self.refusedTypes[type] ?? (Self.translatedTypes.contains(type) ? nil : Self.unknownType(type)) {
            report.refuse(typePointer, reason)
            abandon(members, at: pointer, because: "not translated: part of the refused \(type) task (see \(typePointer))")
            return []
        }
        if report.hasEntry(typePointer) {
            // A FORK_JOIN without its JOIN, or a JOIN without its FORK_JOIN (refused by the list).
            abandon(members, at: pointer, because: "not translated: part of the refused \(type) task (see \(typePointer))")
            return []
        }

        var steps: [JSONValue] = []
        if (members["startDelay"]?.intValue ?? 0) > 0 {
            let id = Self.delayStepId(ref)
            let delayPointer = JSONPointer.appending("startDelay", to: pointer)
            if Self.isStepId(id), templates.taskTypes[id] == nil {
                report.map(delayPointer, to: JSONPointer.appending(index, to: list) + "/config/seconds")
                steps.append(["id": .string(id), "name": .string("Start delay of \(ref)"), "action": "wait", "config": ["seconds": members["startDelay"]!]])
            } else {
                report.refuse(delayPointer, "the wait step inserted before the task for its start delay needs the id '\(id)', which is taken or longer than 64 characters: rename the task")
            }
        }
        let task = ConductorTask(members: members, pointer: pointer, target: JSONPointer.appending(index + steps.count, to: list), ref: ref)
        var step: [String: JSONValue] = ["id": .string(ref)]
        if Self.isStepId(ref) {
            report.map(refPointer, to: task.native("id"))
        } else {
            report.refuse(refPointer, "'\(ref)' is not a valid step id (1–64 letters, digits, '_' or '-'): rename the task and the ${\(ref)…} references to it")
        }
        if let name = members["name"] { copyString(name, at: task.at("name"), to: "name", under: task.target, in: &step) }
        if let notes = members["description"] { copyString(notes, at: task.at("description"), to: "notes", under: task.target, in: &step) }
        report.map(typePointer, to: task.native("action"))

        let isOptional = members["optional"] == .bool(true)
        let optionalRules = isOptional && type != "TERMINATE" ? 2 : 0
        let plan = plan(for: type, task, following: following, optionalRules: optionalRules)
        step["action"] = .string(plan.action)
        step["config"] = .object(plan.config)
        var rules = plan.rules
        if let value = members["optional"], value != .bool(false) {
            if value != .bool(true) {
                report.refuse(task.at("optional"), "must be a boolean, got \(value.typeName)")
            } else if optionalRules == 0 {
                report.ignore(task.at("optional"), "the task ends the run, so whether it may fail changes nothing")
            } else {
                report.map(task.at("optional"), to: task.native("next", String(rules.count)))
                rules.append(.object(["status": "KO"].merging(following.ruleTarget) { $1 }))
                rules.append(.object(["status": "TIMEOUT"].merging(following.ruleTarget) { $1 }))
            }
        }
        if let last = plan.lastRule { rules.append(last) }
        if !rules.isEmpty { step["next"] = .array(rules) }
        translateRetry(task, into: &step)
        if members["asyncComplete"] == .bool(true) {
            report.refuse(task.at("asyncComplete"),
                "the task is completed by an external update, which native \(plan.action) steps are not: use a WAIT task without duration (an await step, completed by a signal) after it")
        }
        if members["permissive"] == .bool(true) {
            report.refuse(task.at("permissive"), "permissive tasks (failures reported when the workflow ends) have no equivalent: use optional: true, or next rules on KO")
        }
        for key in members.keys.sorted() where !report.hasEntry(task.at(key)) {
            let member = members[key]!
            if let standard = Self.taskDefaults[key], standard == member {
                report.ignore(task.at(key), "Conductor's default")
            } else if member.isEmptyValue {
                report.ignore(task.at(key), "empty")
            } else {
                report.keep(task.at(key), member, at: task.kept(key))
            }
        }
        steps.append(.object(step))
        return steps
    }

    static func unknownType(_ type: String) -> String {
        "'\(type)' is not a Conductor task type Caseworker translates (it translates \(translatedTypes.sorted().joined(separator: ", ")))"
    }

    /// Reports every member of a task not translated as ignored, with `reason`.
    mutating func abandon(_ members: [String: JSONValue], at pointer: String, because reason: String) {
        for key in members.keys.sorted() {
            let memberPointer = JSONPointer.appending(key, to: pointer)
            if !report.hasEntry(memberPointer) { report.ignore(memberPointer, reason) }
        }
    }

    /// The retry policy and the timeout of a task (see the extension's documentation).
    mutating func translateRetry(_ task: ConductorTask, into step: inout [String: JSONValue]) {
        let isWorkerTask = step["action"] == "task"
        var config = step["config"]?.objectValue ?? [:]
        defer {
            if isWorkerTask {
                if config["timeoutSeconds"] == nil {
                    config["timeoutSeconds"] = .int(Self.longestTaskTimeout)
                    if !report.hasEntry(task.at("taskDefinition", "timeoutSeconds")) {
                        report.defaulted(task.at("taskDefinition", "timeoutSeconds"), to: task.native("config", "timeoutSeconds"), value: .int(Self.longestTaskTimeout))
                    }
                }
                step["config"] = .object(config)
            }
        }
        var count: (value: JSONValue, pointer: String)?
        var logic: (value: JSONValue, pointer: String)?
        var delay: (value: JSONValue, pointer: String)?
        if let value = task.members["retryCount"] { count = (value, task.at("retryCount")) }
        if let definition = task.members["taskDefinition"] {
            guard case .object(let members) = definition else {
                report.refuse(task.at("taskDefinition"), "must be a task definition object, got \(definition.typeName)")
                return
            }
            report.map(task.at("taskDefinition"), to: task.target)
            for key in members.keys.sorted() {
                let value = members[key]!
                let pointer = task.at("taskDefinition", key)
                switch key {
                case "retryCount":
                    if count == nil { count = (value, pointer) } else { report.ignore(pointer, "the task's own retryCount overrides it, as in Conductor") }
                case "retryLogic": logic = (value, pointer)
                case "retryDelaySeconds": delay = (value, pointer)
                case "timeoutSeconds" where isWorkerTask:
                    // A worker task's deadline, not the time its (instant) action may take.
                    if let seconds = value.intValue, (1...Self.longestTaskTimeout).contains(seconds) {
                        config["timeoutSeconds"] = value
                        report.map(pointer, to: task.native("config", "timeoutSeconds"))
                    } else if value.intValue == 0 {
                        report.ignore(pointer, "0: no timeout; the step gets the longest, \(Self.longestTaskTimeout) s")
                    } else {
                        report.refuse(pointer, "must be a number of seconds from 1 to \(Self.longestTaskTimeout)")
                    }
                case "responseTimeoutSeconds" where isWorkerTask:
                    if let seconds = value.intValue, (1...3600).contains(seconds) {
                        config["heartbeatSeconds"] = value
                        report.map(pointer, to: task.native("config", "heartbeatSeconds"))
                    } else {
                        report.refuse(pointer, "must be a number of seconds from 1 to 3600: a worker's lease lasts at most an hour between heartbeats")
                    }
                case "timeoutSeconds":
                    if value.intValue == 0 {
                        report.ignore(pointer, "0: no timeout, as by default in Caseworker")
                    } else {
                        step["timeoutSeconds"] = value
                        report.map(pointer, to: task.native("timeoutSeconds"))
                    }
                case "backoffScaleFactor":
                    if value.intValue == 1 {
                        report.ignore(pointer, "Conductor's default")
                    } else {
                        report.refuse(pointer, "native exponential backoff doubles the delay: a scale factor other than 1 has no equivalent")
                    }
                case "name":
                    report.ignore(pointer, "the task definition's name: the step is named by the task")
                case _ where Self.bookkeeping.contains(key) || key == "ownerApp":
                    report.ignore(pointer, "Conductor's bookkeeping")
                default:
                    report.keep(pointer, value, at: task.kept("taskDefinition", key))
                }
            }
        }
        guard count != nil || logic != nil || delay != nil else { return }
        var retry: [String: JSONValue] = ["jitter": false]
        if let (value, pointer) = count {
            if let retries = value.intValue, (0...99).contains(retries) {
                retry["maxAttempts"] = .int(retries + 1)
                report.map(pointer, to: task.native("retry", "maxAttempts"))
            } else {
                report.refuse(pointer, "must be a number of retries from 0 to 99 (Caseworker tries a step at most 100 times)")
            }
        } else {
            retry["maxAttempts"] = 4
            report.defaulted(task.at("taskDefinition", "retryCount"), to: task.native("retry", "maxAttempts"), value: 4)
        }
        if let (value, pointer) = logic {
            switch value.stringValue {
            case "FIXED"?:
                retry["backoff"] = "fixed"
                report.map(pointer, to: task.native("retry", "backoff"))
            case "EXPONENTIAL_BACKOFF"?:
                retry["backoff"] = "exponential"
                report.map(pointer, to: task.native("retry", "backoff"))
            case "LINEAR_BACKOFF"?:
                report.refuse(pointer, "Caseworker retries with a fixed or an exponential backoff: use FIXED or EXPONENTIAL_BACKOFF")
            default:
                report.refuse(pointer, "must be FIXED or EXPONENTIAL_BACKOFF")
            }
        } else {
            retry["backoff"] = "fixed"
            report.defaulted(task.at("taskDefinition", "retryLogic"), to: task.native("retry", "backoff"), value: "fixed")
        }
        var initial = 60.0
        if let (value, pointer) = delay {
            if let seconds = value.doubleValue, seconds >= 0 {
                initial = seconds
                retry["initialDelaySeconds"] = value
                report.map(pointer, to: task.native("retry", "initialDelaySeconds"))
            } else {
                report.refuse(pointer, "must be a number of seconds")
            }
        } else {
            retry["initialDelaySeconds"] = 60
            report.defaulted(task.at("taskDefinition", "retryDelaySeconds"), to: task.native("retry", "initialDelaySeconds"), value: 60)
        }
        retry["maxDelaySeconds"] = initial > 300 ? retry["initialDelaySeconds"] : 300
        step["retry"] = .object(retry)
    }
}
