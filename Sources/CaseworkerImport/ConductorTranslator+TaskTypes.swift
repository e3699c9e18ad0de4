import CaseworkerCore

/// Each translated Conductor task type as a native action and config. Input parameters that a
/// type does not read are kept in `metadata.conductor.tasks.<ref>.inputParameters`.
///
/// - `HTTP` → `http.request`: `inputParameters.http_request` (or, in the newer form, the
///   `inputParameters` themselves) `{uri → url, method, headers, body, accept → headers.Accept,
///   contentType → headers.Content-Type (an explicit header wins), connectionTimeOut +
///   readTimeOut (ms) → timeoutSeconds}` (at most 300 s; 0 means Conductor's default and is
///   ignored).
/// - `SWITCH` (`evaluatorType: value-param`, `expression` naming the input parameter with the
///   value) and `DECISION` (`caseValueParam`) → `switch {value}` and next rules
///   `{code: <case>, steps}` per non-empty case; an empty case is ignored, or, when there is a
///   default case, becomes a rule going past the switch; a non-empty `defaultCase` → a last
///   unconditional rule `{steps}` (it also takes a null value, as Conductor's default case
///   does). JavaScript evaluators (`javascript`, `graaljs`, `caseExpression`) are refused.
/// - `WAIT` → `wait {seconds}` from `duration`, `wait {until}` (RFC 3339) from `until`, or, with
///   neither, `await {signal: <ref>}`: what Conductor completes by a task update is completed by
///   `POST /v1/workflows/{id}/signals/<ref>`. Computed durations and times are refused (their
///   text formats differ).
/// - `SUB_WORKFLOW` → `workflow.run {workflowDefinitionId: subWorkflowParam.name, version,
///   input: inputParameters}`; an inline `workflowDefinition` is refused.
/// - `TERMINATE` → `complete {result: workflowOutput}` for `COMPLETED`; `fail {reason:
///   terminationReason (default "terminated by the task <ref>"), code: "failed" |
///   "terminated"}` for `FAILED` and `TERMINATED` (a `workflowOutput` there is refused: a failed
///   run has no result).
/// - `SET_VARIABLE` → `transform {set: inputParameters}` (keys must be state keys).
/// - `EVENT` → `event.emit {type, data: inputParameters}`, the type being the sink's name (after
///   `prefix:`) lowercased, other characters than `[a-z0-9_.-]` made `_`; it must then be a
///   custom event type. The whole sink is recorded at `metadata.conductor.tasks.<ref>.sink`.
/// - `HUMAN` → `await {signal: <ref>}`; its inputParameters (forms, assignments) are kept.
/// - `FORK_JOIN` and the `JOIN` after it → one `parallel {branches, join: all}` step with the
///   fork's id: each list of `forkTasks` a branch whose id is its last task's reference (the
///   task a `JOIN` waits for), translated as any list. `joinOn` must name the last task of every
///   branch (a parallel step joins them all). After the step, the branches' tasks read as
///   before (`${ref.output…}`), and the JOIN's output `${join.output.<ref>…}` is that task's.
/// - `SIMPLE` → `task {queue: name, input: inputParameters, timeoutSeconds, heartbeatSeconds}`:
///   the workers that polled Conductor for the task definition `name` poll the queue of that
///   name (`POST /v1/tasks/poll`). `taskDefinition.timeoutSeconds` → `timeoutSeconds` (none or
///   0: Conductor has no timeout, the step gets the longest, 366 days);
///   `taskDefinition.responseTimeoutSeconds` (the time a worker has to report before the task is
///   given to another) → `heartbeatSeconds` (at most 3600).
extension ConductorTranslator {
    static let httpMethods: Set<String> = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]
    static let maxHTTPTimeoutSeconds = 300

    mutating func plan(for type: String, _ task: ConductorTask, following: Continuation, optionalRules: Int) -> StepPlan {
        switch type {
        case "HTTP": httpPlan(task)
        case "SWITCH", "DECISION": switchPlan(task, type: type, following: following, optionalRules: optionalRules)
        case "WAIT": waitPlan(task)
        case "SUB_WORKFLOW": subWorkflowPlan(task)
        case "TERMINATE": terminatePlan(task)
        case "SET_VARIABLE": setVariablePlan(task)
        case "EVENT": eventPlan(task)
        case "SIMPLE": simplePlan(task)
        case "FORK_JOIN": forkPlan(task)
        default: humanPlan(task)
        }
    }

    /// The task's `inputParameters` (`[:]` when absent); `nil` after refusing a non-object.
    mutating func inputParameters(_ task: ConductorTask) -> [String: JSONValue]? {
        guard let value = task.members["inputParameters"] else { return [:] }
        guard case .object(let members) = value else {
            report.refuse(task.at("inputParameters"), "must be an object, got \(value.typeName)")
            return nil
        }
        return members
    }

    // MARK: - HTTP

    mutating func httpPlan(_ task: ConductorTask) -> StepPlan {
        var plan = StepPlan(action: "http.request")
        guard let parameters = inputParameters(task) else { return plan }
        let parametersPointer = task.at("inputParameters")
        var request = parameters
        var requestPointer = parametersPointer
        var keptPath = ["inputParameters"]
        if task.members["inputParameters"] != nil { report.map(parametersPointer, to: task.native("config")) }
        if case .object(let nested)? = parameters["http_request"] {
            request = nested
            requestPointer = task.at("inputParameters", "http_request")
            keptPath = ["inputParameters", "http_request"]
            report.map(requestPointer, to: task.native("config"))
            for key in parameters.keys.sorted() where key != "http_request" {
                report.keep(task.at("inputParameters", key), parameters[key]!, at: task.kept("inputParameters", key))
            }
        }
        if request["uri"] == nil {
            report.refuse(JSONPointer.appending("uri", to: requestPointer), "is required: the URL the HTTP task calls")
        }
        var headers: [String: JSONValue] = [:]
        var timeouts: [(pointer: String, millis: Int)] = []
        for key in request.keys.sorted() {
            let value = request[key]!
            let pointer = JSONPointer.appending(key, to: requestPointer)
            switch key {
            case "uri":
                guard string(value, at: pointer) != nil else { continue }
                plan.config["url"] = templates.translate(value, at: pointer, &report)
                report.map(pointer, to: task.native("config", "url"))
            case "method":
                guard let text = string(value, at: pointer) else { continue }
                if text.contains("${") {
                    plan.config["method"] = templates.translate(value, at: pointer, &report)
                } else if Self.httpMethods.contains(text.uppercased()) {
                    plan.config["method"] = .string(text.uppercased())
                } else {
                    report.refuse(pointer, "'\(text)' is not a method http.request sends (\(Self.httpMethods.sorted().joined(separator: ", ")))")
                    continue
                }
                report.map(pointer, to: task.native("config", "method"))
            case "headers":
                guard case .object(let given) = value else {
                    report.refuse(pointer, "must be an object of header names to values, got \(value.typeName)")
                    continue
                }
                report.map(pointer, to: task.native("config", "headers"))
                for name in given.keys.sorted() {
                    let header = given[name]!
                    let headerPointer = JSONPointer.appending(name, to: pointer)
                    switch header {
                    case .string: headers[name] = templates.translate(header, at: headerPointer, &report)
                    case .int, .double, .bool: headers[name] = .string(JSONText.encode(header))
                    default:
                        report.refuse(headerPointer, "must be a string, a number or a boolean, got \(header.typeName)")
                        continue
                    }
                    report.map(headerPointer, to: task.native("config", "headers", name))
                }
            case "body":
                if value.isNull {
                    report.ignore(pointer, "null: no body")
                } else {
                    plan.config["body"] = templates.translate(value, at: pointer, &report)
                    report.map(pointer, to: task.native("config", "body"), coveringValue: true)
                }
            case "readTimeOut", "connectionTimeOut":
                guard let millis = value.intValue, millis >= 0 else {
                    report.refuse(pointer, "must be a number of milliseconds, got \(JSONText.encode(value))")
                    continue
                }
                if millis == 0 {
                    report.ignore(pointer, "0: Conductor's default; the native default timeout applies")
                } else {
                    timeouts.append((pointer, millis))
                }
            case "accept", "contentType":
                continue  // after the headers, below
            default:
                report.keep(pointer, value, at: task.kept(keptPath + [key]))
            }
        }
        for (key, header) in [("accept", "Accept"), ("contentType", "Content-Type")] {
            guard let value = request[key] else { continue }
            let pointer = JSONPointer.appending(key, to: requestPointer)
            guard string(value, at: pointer) != nil else { continue }
            if headers.keys.contains(where: { $0.lowercased() == header.lowercased() }) {
                report.ignore(pointer, "headers names \(header) too, and that header is sent")
            } else {
                headers[header] = templates.translate(value, at: pointer, &report)
                report.map(pointer, to: task.native("config", "headers", header))
            }
        }
        if !headers.isEmpty { plan.config["headers"] = .object(headers) }
        if !timeouts.isEmpty {
            let millis = timeouts.reduce(0) { $0 + $1.millis }
            for (pointer, _) in timeouts {
                if millis > Self.maxHTTPTimeoutSeconds * 1000 {
                    report.refuse(pointer,
                        "connectionTimeOut and readTimeOut total \(millis) ms, and http.request waits at most \(Self.maxHTTPTimeoutSeconds) s: lower them")
                } else {
                    report.map(pointer, to: task.native("config", "timeoutSeconds"))
                }
            }
            plan.config["timeoutSeconds"] = millis % 1000 == 0 ? .int(millis / 1000) : .double(Double(millis) / 1000)
        }
        return plan
    }

    // MARK: - SWITCH and DECISION

    mutating func switchPlan(_ task: ConductorTask, type: String, following: Continuation, optionalRules: Int) -> StepPlan {
        var plan = StepPlan(action: "switch")
        let valueTarget = task.native("config", "value")
        var parameterName: String?
        var namer = "expression"
        if type == "SWITCH" {
            var isValueParam = false
            switch task.members["evaluatorType"] {
            case nil:
                report.refuse(task.at("evaluatorType"), "is required: value-param (the value of an input parameter) is translated")
            case .string("value-param")?:
                isValueParam = true
                report.map(task.at("evaluatorType"), to: valueTarget)
            case let other?:
                report.refuse(task.at("evaluatorType"),
                    "\(JSONText.encode(other)) evaluates JavaScript, and Caseworker has no JavaScript engine: use value-param, "
                        + "with the value computed in inputParameters from ${…} references")
            }
            if task.members["evaluatorType"] != nil, !isValueParam, task.members["expression"] != nil {
                // JavaScript, not the name of an input parameter: nothing to look up.
                report.ignore(task.at("expression"), "not translated: the script of the refused evaluatorType (see \(task.at("evaluatorType")))")
            } else if let value = task.members["expression"] {
                parameterName = string(value, at: task.at("expression"))
                if parameterName != nil { report.map(task.at("expression"), to: valueTarget) }
            } else {
                report.refuse(task.at("expression"), "is required: it names the input parameter that holds the switch value")
            }
        } else {
            namer = "caseValueParam"
            if let value = task.members["caseExpression"] {
                report.refuse(task.at("caseExpression"),
                    "\(JSONText.encode(value)) is JavaScript, and Caseworker has no JavaScript engine: use caseValueParam, "
                        + "with the value computed in inputParameters from ${…} references")
            }
            if let value = task.members["caseValueParam"] {
                parameterName = string(value, at: task.at("caseValueParam"))
                if parameterName != nil { report.map(task.at("caseValueParam"), to: valueTarget) }
            } else if task.members["caseExpression"] == nil {
                report.refuse(task.at("caseValueParam"), "is required: it names the input parameter that holds the decision value")
            }
        }

        guard let parameters = inputParameters(task) else { return plan }
        if task.members["inputParameters"] != nil, !parameters.isEmpty { report.map(task.at("inputParameters"), to: task.native("config")) }
        for key in parameters.keys.sorted() {
            let value = parameters[key]!
            let pointer = task.at("inputParameters", key)
            guard key == parameterName else {
                report.keep(pointer, value, at: task.kept("inputParameters", key))
                continue
            }
            switch value {
            case .string: plan.config["value"] = templates.translate(value, at: pointer, &report)
            case .int, .double, .bool: plan.config["value"] = .string(JSONText.encode(value))
            default:
                report.refuse(pointer, "must be a ${…} reference or a literal, got \(value.typeName)")
                continue
            }
            report.map(pointer, to: valueTarget, coveringValue: true)
        }
        if let parameterName, parameters[parameterName] == nil {
            report.refuse(task.at("inputParameters", parameterName), "is missing: the switch value is the input parameter that \(namer) names")
        }

        var defaultTasks: [JSONValue] = []
        if let value = task.members["defaultCase"] {
            if case .array(let tasks) = value { defaultTasks = tasks } else { report.refuse(task.at("defaultCase"), "must be an array of tasks, got \(value.typeName)") }
        }
        if let value = task.members["decisionCases"], !value.isEmptyValue {
            guard case .object(let cases) = value else {
                report.refuse(task.at("decisionCases"), "must be an object of case values to tasks, got \(value.typeName)")
                return plan
            }
            report.map(task.at("decisionCases"), to: task.native("next"))
            for name in cases.keys.sorted() {
                let pointer = task.at("decisionCases", name)
                guard case .array(let tasks) = cases[name]! else {
                    report.refuse(pointer, "must be an array of tasks, got \(cases[name]!.typeName)")
                    continue
                }
                let rule = task.native("next", String(plan.rules.count))
                if !tasks.isEmpty {
                    report.map(pointer, to: rule + "/steps")
                    let steps = translateTasks(tasks, at: pointer, to: rule + "/steps", then: following)
                    plan.rules.append(["code": .string(name), "steps": .array(steps)])
                } else if defaultTasks.isEmpty {
                    report.ignore(pointer, "empty: the run goes on after the switch, as it does for a value no case names")
                } else {
                    report.map(pointer, to: rule)
                    plan.rules.append(.object(["code": .string(name)].merging(following.ruleTarget) { $1 }))
                }
            }
        }
        if !defaultTasks.isEmpty {
            let rule = task.native("next", String(plan.rules.count + optionalRules))
            report.map(task.at("defaultCase"), to: rule + "/steps")
            plan.lastRule = ["steps": .array(translateTasks(defaultTasks, at: task.at("defaultCase"), to: rule + "/steps", then: following))]
        }
        return plan
    }

    // MARK: - WAIT

    mutating func waitPlan(_ task: ConductorTask) -> StepPlan {
        var plan = StepPlan(action: "wait")
        guard let parameters = inputParameters(task) else { return plan }
        guard parameters["duration"] != nil || parameters["until"] != nil else {
            plan.action = "await"
            plan.config = ["signal": .string(task.ref)]
            if !parameters.isEmpty { report.keep(task.at("inputParameters"), .object(parameters), at: task.kept("inputParameters")) }
            return plan
        }
        if parameters["duration"] != nil, parameters["until"] != nil {
            report.refuse(task.at("inputParameters"), "has both duration and until, and a wait has one: keep one")
        } else {
            report.map(task.at("inputParameters"), to: task.native("config"))
        }
        for key in parameters.keys.sorted() {
            let value = parameters[key]!
            let pointer = task.at("inputParameters", key)
            switch key {
            case "duration":
                guard let text = string(value, at: pointer) else { continue }
                if text.contains("${") {
                    report.refuse(pointer,
                        "'\(text)' is computed, and its text cannot be converted when saved: native waits take seconds "
                            + "(write a fixed duration, or a native ${…} expression computing a number of seconds)")
                } else if let seconds = ConductorTime.seconds(ofDuration: text) {
                    plan.config["seconds"] = .int(seconds)
                    report.map(pointer, to: task.native("config", "seconds"))
                } else {
                    report.refuse(pointer, "'\(text)' is not a duration such as 30s, 10 minutes or 1h 30m")
                }
            case "until":
                guard let text = string(value, at: pointer) else { continue }
                if text.contains("${") {
                    report.refuse(pointer,
                        "'\(text)' is computed, and Conductor's time text (yyyy-MM-dd HH:mm z) is not the RFC 3339 time a native "
                            + "wait reads: compute an RFC 3339 time with a native ${…} expression instead")
                    continue
                }
                switch ConductorTime.rfc3339(ofUntil: text) {
                case .success(let time):
                    plan.config["until"] = .string(time)
                    report.map(pointer, to: task.native("config", "until"))
                case .failure(let refusal):
                    report.refuse(pointer, refusal.reason)
                }
            default:
                report.keep(pointer, value, at: task.kept("inputParameters", key))
            }
        }
        return plan
    }

    // MARK: - SUB_WORKFLOW

    mutating func subWorkflowPlan(_ task: ConductorTask) -> StepPlan {
        var plan = StepPlan(action: "workflow.run")
        let paramPointer = task.at("subWorkflowParam")
        if case .object(let param)? = task.members["subWorkflowParam"] {
            report.map(paramPointer, to: task.native("config"))
            if param["name"] == nil, param["workflowDefinition"] == nil {
                report.refuse(task.at("subWorkflowParam", "name"), "is required: it names the workflow to run")
            }
            for key in param.keys.sorted() {
                let value = param[key]!
                let pointer = task.at("subWorkflowParam", key)
                switch key {
                case "name":
                    guard let name = string(value, at: pointer) else { continue }
                    if DefinitionID.isValid(name) {
                        plan.config["workflowDefinitionId"] = value
                        report.map(pointer, to: task.native("config", "workflowDefinitionId"))
                    } else {
                        report.refuse(pointer, "'\(name)' is not a definition id (1–128 letters, digits, '-', '_', '.'): import that workflow under a valid id and name it here")
                    }
                case "version":
                    if value.isNull {
                        report.ignore(pointer, "null: the latest version, as by default")
                    } else if let version = value.intValue, version >= 1 {
                        plan.config["version"] = .int(version)
                        report.map(pointer, to: task.native("config", "version"))
                    } else {
                        report.refuse(pointer, "must be a version number (1 or more), got \(JSONText.encode(value))")
                    }
                case "workflowDefinition":
                    report.refuse(pointer, "an inline sub-workflow definition is not translated: import it as a definition of its own and name it in subWorkflowParam.name")
                default:
                    if value.isEmptyValue {
                        report.ignore(pointer, "empty")
                    } else {
                        report.keep(pointer, value, at: task.kept("subWorkflowParam", key))
                    }
                }
            }
        } else {
            report.refuse(paramPointer, task.members["subWorkflowParam"] == nil ? "is required: it names the workflow to run" : "must be an object {name, version}")
        }
        if let parameters = inputParameters(task), !parameters.isEmpty {
            plan.config["input"] = templates.translate(.object(parameters), at: task.at("inputParameters"), &report)
            report.map(task.at("inputParameters"), to: task.native("config", "input"), coveringValue: true)
        }
        return plan
    }

    // MARK: - TERMINATE

    mutating func terminatePlan(_ task: ConductorTask) -> StepPlan {
        var plan = StepPlan(action: "fail")
        guard let parameters = inputParameters(task) else { return plan }
        let statusPointer = task.at("inputParameters", "terminationStatus")
        guard let status = parameters["terminationStatus"]?.stringValue else {
            report.refuse(statusPointer, "is required: COMPLETED, FAILED or TERMINATED")
            abandon(parameters, at: task.at("inputParameters"), because: "not translated: the task has no terminationStatus (see its refusal)")
            if task.members["inputParameters"] != nil { report.ignore(task.at("inputParameters"), "not translated: see the refusal of terminationStatus") }
            return plan
        }
        report.map(task.at("inputParameters"), to: task.native("config"))
        let completes = status == "COMPLETED"
        switch status {
        case "COMPLETED":
            plan.action = "complete"
            report.map(statusPointer, to: task.native("action"))
        case "FAILED", "TERMINATED":
            plan.config["code"] = .string(status.lowercased())
            report.map(statusPointer, to: task.native("config", "code"))
        default:
            report.refuse(statusPointer, "'\(status)' is not a termination status (COMPLETED, FAILED, TERMINATED)")
        }
        for key in parameters.keys.sorted() where key != "terminationStatus" {
            let value = parameters[key]!
            let pointer = task.at("inputParameters", key)
            switch key {
            case "workflowOutput":
                if value.isEmptyValue {
                    report.ignore(pointer, "empty")
                } else if completes {
                    plan.config["result"] = templates.translate(value, at: pointer, &report)
                    report.map(pointer, to: task.native("config", "result"), coveringValue: true)
                } else {
                    report.refuse(pointer, "a failed run has no result in Caseworker: remove workflowOutput, or say it in terminationReason")
                }
            case "terminationReason" where !completes:
                guard string(value, at: pointer) != nil else { continue }
                plan.config["reason"] = templates.translate(value, at: pointer, &report)
                report.map(pointer, to: task.native("config", "reason"))
            default:
                report.keep(pointer, value, at: task.kept("inputParameters", key))
            }
        }
        if !completes, parameters["terminationReason"] == nil {
            let reason = JSONValue.string("terminated by the task \(task.ref)")
            plan.config["reason"] = reason
            report.defaulted(task.at("inputParameters", "terminationReason"), to: task.native("config", "reason"), value: reason)
        }
        return plan
    }

    // MARK: - SET_VARIABLE, EVENT, HUMAN

    mutating func setVariablePlan(_ task: ConductorTask) -> StepPlan {
        var plan = StepPlan(action: "transform")
        guard let parameters = inputParameters(task) else { return plan }
        guard !parameters.isEmpty else {
            report.refuse(task.at("inputParameters"), "sets no variable: a SET_VARIABLE task names the variables to set in inputParameters; set one or remove the task")
            return plan
        }
        var set: [String: JSONValue] = [:]
        for key in parameters.keys.sorted() {
            let pointer = task.at("inputParameters", key)
            if !Self.isStateKey(key) {
                report.refuse(pointer, "'\(key)' is not a valid state key ([A-Za-z_][A-Za-z0-9_]{0,63}): rename the variable and its ${workflow.variables.…} references")
            }
            set[key] = templates.translate(parameters[key]!, at: pointer, &report)
        }
        plan.config["set"] = .object(set)
        report.map(task.at("inputParameters"), to: task.native("config", "set"), coveringValue: true)
        return plan
    }

    static func isStateKey(_ key: String) -> Bool {
        key.utf8.count <= 64 && ConductorTemplates.isIdentifier(key)
    }

    mutating func eventPlan(_ task: ConductorTask) -> StepPlan {
        var plan = StepPlan(action: "event.emit")
        let sinkPointer = task.at("sink")
        if let value = task.members["sink"] {
            if let sink = string(value, at: sinkPointer) {
                if sink.contains("${") {
                    report.refuse(sinkPointer, "'\(sink)' is computed, and the event type must be known when saved: name the sink")
                } else if let colon = sink.firstIndex(of: ":") {
                    let type = Self.eventType(String(sink[sink.index(after: colon)...]))
                    if WebhookEventType.isCustomName(type) {
                        plan.config["type"] = .string(type)
                        report.map(sinkPointer, to: task.native("config", "type"))
                        report.record(value, at: task.kept("sink"))
                    } else {
                        report.refuse(sinkPointer,
                            "'\(sink)' names the event type '\(type)', which is not a custom event type "
                                + "([a-z][a-z0-9_.-]*, at most \(WebhookEventType.maxCustomLength) characters, not workflow.…): rename the sink's event")
                    }
                } else {
                    report.refuse(sinkPointer, "'\(sink)' names no event: write the sink as prefix:name (e.g. conductor:kyc_requested); the name becomes the event type")
                }
            }
        } else {
            report.refuse(sinkPointer, "is required: the sink's name becomes the event type")
        }
        if let parameters = inputParameters(task), !parameters.isEmpty {
            plan.config["data"] = templates.translate(.object(parameters), at: task.at("inputParameters"), &report)
            report.map(task.at("inputParameters"), to: task.native("config", "data"), coveringValue: true)
        }
        return plan
    }

    /// A sink's name as an event type: lowercased, characters outside `[a-z0-9_.-]` made `_`.
    static func eventType(_ name: String) -> String {
        var type = ""
        for scalar in name.lowercased().unicodeScalars {
            let allowed = scalar.isASCII && (("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || "_.-".unicodeScalars.contains(scalar))
            type.unicodeScalars.append(allowed ? scalar : "_")
        }
        return type
    }

    mutating func humanPlan(_ task: ConductorTask) -> StepPlan {
        if let value = task.members["inputParameters"], !value.isEmptyValue {
            report.keep(task.at("inputParameters"), value, at: task.kept("inputParameters"))
        }
        return StepPlan(action: "await", config: ["signal": .string(task.ref)])
    }

    // MARK: - SIMPLE

    /// The longest `timeoutSeconds` of a `task` step: a Conductor task without a timeout.
    static let longestTaskTimeout = 31_622_400

    mutating func simplePlan(_ task: ConductorTask) -> StepPlan {
        var plan = StepPlan(action: "task")
        if let name = task.members["name"]?.stringValue, WorkerTask.isValidQueue(name) {
            plan.config["queue"] = .string(name)
        } else {
            report.refuse(
                task.at("name"),
                "a SIMPLE task's name is the queue its workers poll, and '\(task.members["name"]?.stringValue ?? "")' is not a queue name (1–48 letters, digits, '.', '_', '-'): rename the task definition")
        }
        if let parameters = inputParameters(task), !parameters.isEmpty {
            plan.config["input"] = templates.translate(.object(parameters), at: task.at("inputParameters"), &report)
            report.map(task.at("inputParameters"), to: task.native("config", "input"), coveringValue: true)
        }
        return plan
    }

    // MARK: - FORK_JOIN

    mutating func forkPlan(_ task: ConductorTask) -> StepPlan {
        var plan = StepPlan(action: "parallel", config: ["join": "all"])
        guard case .array(let forks)? = task.members["forkTasks"], !forks.isEmpty else {
            report.refuse(task.at("forkTasks"), "must be a non-empty array of task lists: the parallel branches")
            return plan
        }
        report.map(task.at("forkTasks"), to: task.native("config", "branches"))
        var branches: [JSONValue] = []
        for (index, fork) in forks.enumerated() {
            let pointer = JSONPointer.appending(index, to: task.at("forkTasks"))
            guard case .array(let tasks) = fork, let last = tasks.last?["taskReferenceName"]?.stringValue else {
                report.refuse(pointer, "must be a non-empty list of tasks: one parallel branch")
                continue
            }
            let target = task.native("config", "branches", String(branches.count))
            report.map(pointer, to: target)
            let steps = translateTasks(tasks, at: pointer, to: target + "/steps", then: .end)
            branches.append(["id": .string(last), "steps": .array(steps)])
        }
        plan.config["branches"] = .array(branches)
        return plan
    }

    /// The `JOIN` at `pointer` after `fork`: it adds no step; its members are accounted for on the
    /// fork's `parallel` step at `parallel`.
    mutating func translateJoin(_ join: JSONValue, at pointer: String, fork: JSONValue, parallel: String) {
        guard case .object(let members) = join else { return }
        let lastRefs = (fork["forkTasks"]?.arrayValue ?? []).compactMap { $0.arrayValue?.last?["taskReferenceName"]?.stringValue }
        for key in members.keys.sorted() {
            let member = members[key]!
            let memberPointer = JSONPointer.appending(key, to: pointer)
            switch key {
            case "type":
                report.map(memberPointer, to: JSONPointer.appending("join", to: JSONPointer.appending("config", to: parallel)))
            case "joinOn":
                let named = Set(member.arrayValue?.compactMap(\.stringValue) ?? [])
                if named == Set(lastRefs) {
                    report.map(memberPointer, to: JSONPointer.appending("join", to: JSONPointer.appending("config", to: parallel)), coveringValue: true)
                } else {
                    report.refuse(
                        memberPointer,
                        "a parallel step joins every branch at its last task: joinOn must name \(lastRefs.joined(separator: ", ")) (it names \(named.sorted().joined(separator: ", ")))")
                }
            case "taskReferenceName":
                report.ignore(memberPointer, "the JOIN is the end of the parallel step \(fork["taskReferenceName"]?.stringValue ?? ""); ${\(member.stringValue ?? "").output.<ref>…} reads the joined task <ref>")
            case "name", "description":
                report.ignore(memberPointer, "the JOIN adds no step of its own")
            default:
                if let standard = Self.taskDefaults[key], standard == member {
                    report.ignore(memberPointer, "Conductor's default")
                } else if member.isEmptyValue {
                    report.ignore(memberPointer, "empty")
                } else {
                    report.refuse(memberPointer, "a JOIN adds no step of its own, so its \(key) has nowhere to go")
                }
            }
        }
    }
}
