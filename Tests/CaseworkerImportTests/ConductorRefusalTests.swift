@testable import CaseworkerImport
import CaseworkerCore
import Testing

/// What a Conductor body cannot become, refused at the member's pointer with the reason.
@Suite struct ConductorRefusalTests {
    /// A workflow named `t` with `tasks` (the text of the array's elements) and `extra` members.
    static func workflow(_ tasks: String, extra: String = "") -> JSONValue {
        ImportTestSupport.json(#"{"name": "t", "timeoutPolicy": "ALERT_ONLY", \#(extra) "tasks": [\#(tasks)]}"#)
    }

    static let http = #"{"taskReferenceName": "call", "type": "HTTP", "inputParameters": {"uri": "https://x.example"}}"#

    @Test func aForkWithoutItsJoinAndAJoinWithoutItsForkAreRefused() {
        let body = Self.workflow(
            #"""
            {"name": "checks", "taskReferenceName": "fork_ref", "type": "FORK_JOIN",
             "forkTasks": [[{"taskReferenceName": "id_check", "type": "HTTP", "inputParameters": {"uri": "https://id.example"}}]]},
            \#(Self.http),
            {"name": "join", "taskReferenceName": "join_ref", "type": "JOIN", "joinOn": ["id_check"]}
            """#)
        let result = DefinitionImporter.translate(body, format: .conductor)
        let report = result.report
        #expect(report.refusals.map(\.pointer) == ["/tasks/0/type", "/tasks/2/type"])
        #expect(report.entry(at: "/tasks/0/type")?.reason == "a FORK_JOIN must be followed by its JOIN, which ends the parallel branches")
        #expect(report.entry(at: "/tasks/2/type")?.reason == "a JOIN must follow the FORK_JOIN whose branches it joins")
        #expect(result.definition["steps"]?.arrayValue?.map { $0["id"] } == ["call"])
        #expect(ImportTestSupport.unaccounted(body, report) == [])
    }

    @Test func anUnknownTaskTypeIsRefusedNamingTheTypesTranslated() {
        let body = Self.workflow(#"{"taskReferenceName": "legacy", "type": "MY_CUSTOM_TASK", "inputParameters": {"a": 1}}"#)
        let report = DefinitionImporter.translate(body, format: .conductor).report
        #expect(report.refusals.map(\.pointer) == ["/tasks/0/type"])
        #expect(report.entry(at: "/tasks/0/type")?.reason
            == "'MY_CUSTOM_TASK' is not a Conductor task type Caseworker translates (it translates DECISION, EVENT, FORK_JOIN, HTTP, HUMAN, JOIN, SET_VARIABLE, SIMPLE, SUB_WORKFLOW, SWITCH, TERMINATE, WAIT)")
        #expect(ImportTestSupport.unaccounted(body, report) == [])
    }

    @Test(arguments: ["DO_WHILE", "DYNAMIC", "INLINE", "LAMBDA", "JSON_JQ_TRANSFORM", "KAFKA_PUBLISH", "START_WORKFLOW", "FORK_JOIN_DYNAMIC",
        "EXCLUSIVE_JOIN"])
    func otherKnownTypesAreRefusedWithTheirReason(type: String) {
        let body = Self.workflow(#"{"taskReferenceName": "t1", "type": "\#(type)", "inputParameters": {}}"#)
        let report = DefinitionImporter.translate(body, format: .conductor).report
        #expect(report.refusals.map(\.pointer) == ["/tasks/0/type"])
        #expect(report.entry(at: "/tasks/0/type")?.reason == ConductorTranslator.refusedTypes[type])
        #expect(report.entry(at: "/tasks/0/type")?.reason?.hasPrefix(type) == true)
    }

    /// One task (or definition member) that cannot be translated, where, and why.
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var tasks: String
        var extra: String = ""
        var pointer: String
        var reason: String
        /// Other members refused with it (for the same reason).
        var also: [String] = []
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "a JavaScript SWITCH", tasks: #"{"taskReferenceName": "s", "type": "SWITCH", "evaluatorType": "javascript", "expression": "$.x > 1 ? 'a' : 'b'", "decisionCases": {"a": [\#(http)]}}"#,
            pointer: "/tasks/0/evaluatorType", reason: "\"javascript\" evaluates JavaScript, and Caseworker has no JavaScript engine"),
        Case(label: "a DECISION caseExpression", tasks: #"{"taskReferenceName": "d", "type": "DECISION", "caseExpression": "$.x ? 'a' : 'b'", "decisionCases": {"a": [\#(http)]}}"#,
            pointer: "/tasks/0/caseExpression", reason: "is JavaScript, and Caseworker has no JavaScript engine"),
        Case(label: "a SWITCH without its value", tasks: #"{"taskReferenceName": "s", "type": "SWITCH", "evaluatorType": "value-param", "expression": "level", "inputParameters": {}, "decisionCases": {"a": [\#(http)]}}"#,
            pointer: "/tasks/0/inputParameters/level", reason: "is missing: the switch value is the input parameter that expression names"),
        Case(label: "an HTTP method http.request does not send", tasks: #"{"taskReferenceName": "h", "type": "HTTP", "inputParameters": {"uri": "https://x.example", "method": "TRACE"}}"#,
            pointer: "/tasks/0/inputParameters/method", reason: "'TRACE' is not a method http.request sends"),
        Case(label: "an HTTP task without uri", tasks: #"{"taskReferenceName": "h", "type": "HTTP", "inputParameters": {"http_request": {"method": "GET"}}}"#,
            pointer: "/tasks/0/inputParameters/http_request/uri", reason: "is required: the URL the HTTP task calls"),
        Case(label: "HTTP timeouts over 300 s", tasks: #"{"taskReferenceName": "h", "type": "HTTP", "inputParameters": {"uri": "https://x.example", "connectionTimeOut": 1000, "readTimeOut": 300000}}"#,
            pointer: "/tasks/0/inputParameters/readTimeOut", reason: "connectionTimeOut and readTimeOut total 301000 ms",
            also: ["/tasks/0/inputParameters/connectionTimeOut"]),
        Case(label: "a WAIT until without a zone", tasks: #"{"taskReferenceName": "w", "type": "WAIT", "inputParameters": {"until": "2025-06-01 09:00"}}"#,
            pointer: "/tasks/0/inputParameters/until", reason: "names no time zone (Conductor reads it in its server's zone"),
        Case(label: "a computed WAIT duration", tasks: #"{"taskReferenceName": "w", "type": "WAIT", "inputParameters": {"duration": "${workflow.input.delay}"}}"#,
            pointer: "/tasks/0/inputParameters/duration", reason: "is computed, and its text cannot be converted when saved"),
        Case(label: "a WAIT with duration and until", tasks: #"{"taskReferenceName": "w", "type": "WAIT", "inputParameters": {"duration": "1h", "until": "2025-06-01 09:00 UTC"}}"#,
            pointer: "/tasks/0/inputParameters", reason: "has both duration and until"),
        Case(label: "an inline sub-workflow", tasks: #"{"taskReferenceName": "sub", "type": "SUB_WORKFLOW", "subWorkflowParam": {"workflowDefinition": {"name": "inner", "tasks": []}}}"#,
            pointer: "/tasks/0/subWorkflowParam/workflowDefinition", reason: "an inline sub-workflow definition is not translated"),
        Case(label: "a failed TERMINATE with an output", tasks: #"{"taskReferenceName": "end", "type": "TERMINATE", "inputParameters": {"terminationStatus": "FAILED", "workflowOutput": {"x": 1}}}"#,
            pointer: "/tasks/0/inputParameters/workflowOutput", reason: "a failed run has no result in Caseworker"),
        Case(label: "a TERMINATE without status", tasks: #"{"taskReferenceName": "end", "type": "TERMINATE", "inputParameters": {"terminationReason": "done"}}"#,
            pointer: "/tasks/0/inputParameters/terminationStatus", reason: "is required: COMPLETED, FAILED or TERMINATED"),
        Case(label: "a variable that is not a state key", tasks: #"{"taskReferenceName": "v", "type": "SET_VARIABLE", "inputParameters": {"risk-level": "high"}}"#,
            pointer: "/tasks/0/inputParameters/risk-level", reason: "'risk-level' is not a valid state key"),
        Case(label: "a SET_VARIABLE setting nothing", tasks: #"{"taskReferenceName": "v", "type": "SET_VARIABLE", "inputParameters": {}}"#,
            pointer: "/tasks/0/inputParameters", reason: "sets no variable"),
        Case(label: "a sink naming no event", tasks: #"{"taskReferenceName": "e", "type": "EVENT", "sink": "conductor"}"#,
            pointer: "/tasks/0/sink", reason: "'conductor' names no event: write the sink as prefix:name"),
        Case(label: "a sink in the workflow namespace", tasks: #"{"taskReferenceName": "e", "type": "EVENT", "sink": "conductor:workflow.done"}"#,
            pointer: "/tasks/0/sink", reason: "names the event type 'workflow.done', which is not a custom event type"),
        Case(label: "asyncComplete", tasks: #"{"taskReferenceName": "h", "type": "HTTP", "asyncComplete": true, "inputParameters": {"uri": "https://x.example"}}"#,
            pointer: "/tasks/0/asyncComplete", reason: "the task is completed by an external update"),
        Case(label: "permissive", tasks: #"{"taskReferenceName": "h", "type": "HTTP", "permissive": true, "inputParameters": {"uri": "https://x.example"}}"#,
            pointer: "/tasks/0/permissive", reason: "permissive tasks (failures reported when the workflow ends) have no equivalent"),
        Case(label: "a linear backoff", tasks: #"{"taskReferenceName": "h", "type": "HTTP", "inputParameters": {"uri": "https://x.example"}, "taskDefinition": {"retryLogic": "LINEAR_BACKOFF"}}"#,
            pointer: "/tasks/0/taskDefinition/retryLogic", reason: "Caseworker retries with a fixed or an exponential backoff"),
        Case(label: "a backoff scale factor", tasks: #"{"taskReferenceName": "h", "type": "HTTP", "inputParameters": {"uri": "https://x.example"}, "taskDefinition": {"backoffScaleFactor": 2}}"#,
            pointer: "/tasks/0/taskDefinition/backoffScaleFactor", reason: "a scale factor other than 1 has no equivalent"),
        Case(label: "a reference name that is no step id", tasks: #"{"taskReferenceName": "kyc check", "type": "WAIT"}"#,
            pointer: "/tasks/0/taskReferenceName", reason: "'kyc check' is not a valid step id"),
        Case(label: "a start delay whose wait step id is taken", tasks: #"{"taskReferenceName": "a", "type": "WAIT", "startDelay": 5}, {"taskReferenceName": "a_delay", "type": "WAIT"}"#,
            pointer: "/tasks/0/startDelay", reason: "needs the id 'a_delay', which is taken"),
        Case(label: "a task's input", tasks: #"\#(http), {"taskReferenceName": "v", "type": "SET_VARIABLE", "inputParameters": {"u": "${call.input.uri}"}}"#,
            pointer: "/tasks/1/inputParameters/u", reason: "${call.input.uri} reads a task's input, which Caseworker does not keep"),
        Case(label: "the workflow's output", tasks: #"{"taskReferenceName": "v", "type": "SET_VARIABLE", "inputParameters": {"u": "${workflow.output.x}"}}"#,
            pointer: "/tasks/0/inputParameters/u", reason: "${workflow.output.x} has no native equivalent"),
        Case(label: "an unknown reference", tasks: #"{"taskReferenceName": "v", "type": "SET_VARIABLE", "inputParameters": {"u": "${nobody.output.x}"}}"#,
            pointer: "/tasks/0/inputParameters/u", reason: "reads 'nobody', which is neither 'workflow' nor a taskReferenceName of this workflow"),
        Case(label: "a JSONPath wildcard", tasks: #"{"taskReferenceName": "v", "type": "SET_VARIABLE", "inputParameters": {"u": "${workflow.input.items[*].id}"}}"#,
            pointer: "/tasks/0/inputParameters/u", reason: "is not a path Caseworker can translate"),
        Case(label: "an HTTP output read another way", tasks: #"\#(http), {"taskReferenceName": "v", "type": "SET_VARIABLE", "inputParameters": {"u": "${call.output.body}"}}"#,
            pointer: "/tasks/1/inputParameters/u", reason: "an HTTP task's output is shaped differently in Caseworker"),
        Case(label: "input defaults", tasks: http, extra: #""inputTemplate": {"country": "SE"},"#,
            pointer: "/inputTemplate", reason: "Caseworker has no input defaults"),
        Case(label: "a failure workflow that is no id", tasks: http, extra: #""failureWorkflow": "kyc cleanup","#,
            pointer: "/failureWorkflow", reason: "'kyc cleanup' is not a definition id"),
        Case(label: "a rate limit without key", tasks: http, extra: #""rateLimitConfig": {"concurrentExecLimit": 2},"#,
            pointer: "/rateLimitConfig/rateLimitKey", reason: "is required: the rate limit counts runs per key"),
        Case(label: "variables that are no object", tasks: http, extra: #""variables": ["a"],"#,
            pointer: "/variables", reason: "must be an object of variable names to initial values"),
    ]

    @Test(arguments: cases)
    func isRefusedAtItsPointerWithItsReason(_ refusal: Case) {
        let body = Self.workflow(refusal.tasks, extra: refusal.extra)
        let report = DefinitionImporter.translate(body, format: .conductor).report
        #expect(report.refusals.map(\.pointer).sorted() == ([refusal.pointer] + refusal.also).sorted())
        let reason = report.entry(at: refusal.pointer)?.reason ?? ""
        #expect(reason.contains(refusal.reason), "\(reason)")
        #expect(ImportTestSupport.unaccounted(body, report) == [])
    }

    @Test func anUnknownTimeoutPolicyIsRefused() {
        let body = ImportTestSupport.json(#"{"name": "t", "timeoutPolicy": "RETRY", "tasks": [\#(Self.http)]}"#)
        let report = DefinitionImporter.translate(body, format: .conductor).report
        #expect(report.refusals.map(\.pointer) == ["/timeoutPolicy"])
        #expect(report.entry(at: "/timeoutPolicy")?.reason == "'RETRY' is not a timeout policy Caseworker has (ALERT_ONLY, TIME_OUT_WF)")
    }

    @Test func aBodyThatIsNoDefinitionIsRefused() {
        for body: JSONValue in [[], "text", 7, nil] {
            let report = DefinitionImporter.translate(body, format: .conductor).report
            #expect(report.refusals.map(\.pointer) == [""])
            #expect(report.entry(at: "")?.reason?.hasPrefix("must be a JSON object (a Conductor workflow definition), got") == true)
        }
        let empty = DefinitionImporter.translate([:], format: .conductor).report
        #expect(empty.refusals.map(\.pointer) == ["/name", "/tasks"])
        let noTasks = DefinitionImporter.translate(["name": "t", "tasks": []], format: .conductor).report
        #expect(noTasks.refusals.map(\.pointer) == ["/tasks"])
        let badTask = ImportTestSupport.json(#"{"name": "t", "tasks": [7, {"type": "HTTP"}, {"taskReferenceName": "x"}]}"#)
        let bad = DefinitionImporter.translate(badTask, format: .conductor).report
        #expect(bad.refusals.map(\.pointer) == ["/tasks/0", "/tasks/1/taskReferenceName", "/tasks/2/type"])
        #expect(ImportTestSupport.unaccounted(badTask, bad) == [])
    }
}
