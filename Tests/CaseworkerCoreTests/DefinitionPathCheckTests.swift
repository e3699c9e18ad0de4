import CaseworkerCore
import Testing

/// Every path a template reads is checked at save: a typo is a 422 at the template's exact
/// pointer with a suggestion, never a `null` at run time.
@Suite struct DefinitionPathCheckTests {
    /// The sanctions flow of issue 25: the transform sets `sanctionsHit`, the decision read
    /// `sanctionHit`, which evaluated to null, and null counted as false: a hit was approved.
    static let sanctions = """
        {"name": "sanctions", "initialState": {"attempts": 0},
         "variables": {"threshold": {"type": "integer", "default": 50}},
         "inputSchema": {"type": "object", "properties": {"channel": {"type": "string"}, "consentAt": {"type": "string"}}},
         "steps": [
           {"id": "screen", "action": "http.request", "config": {"url": "https://screening.example/check"}},
           {"id": "summarize", "action": "transform", "config": {"set": {"sanctionsHit": "${steps.screen.output.body.hit}"}}},
           {"id": "decide", "action": "transform", "config": {"set": {"decision": "${STATE_PATH ? 'reject' : 'approve'}"}}},
           {"id": "done", "action": "complete", "config": {"result": {"decision": "${state.decision}"}}}]}
        """

    func errors(reading path: String) throws -> [FieldError] {
        try problems(Self.sanctions.replacingOccurrences(of: "STATE_PATH", with: path))
    }

    @Test func theSanctionsTypoIsRefusedAtTheExactMemberWithASuggestion() throws {
        let found = try errors(reading: "state.sanctionHit")
        #expect(
            found == [
                FieldError(
                    property: "/steps/2/config/set/decision",
                    message: "${state.sanctionHit ? 'reject' : 'approve'} at column 8: 'sanctionHit' is not written by initialState, a variable or any step; did you mean 'sanctionsHit'?"
                )
            ])
        #expect(try errors(reading: "state.sanctionsHit").isEmpty)
        #expect(try errors(reading: "coalesce(state.sanctionsHit, true)").isEmpty)
    }

    /// (path read by the decision, column, reason)
    static let refused: [(String, Int, String)] = [
        ("stpes.screen.output", 3, "unknown name 'stpes' (a template reads case, params, input, state, steps, run and now); did you mean 'steps'?"),
        ("stat.sanctionsHit", 3, "unknown name 'stat' (a template reads case, params, input, state, steps, run and now); did you mean 'state'?"),
        ("workflow.input.x", 3, "unknown name 'workflow' (a template reads case, params, input, state, steps, run and now)"),
        ("steps.screen.outptu", 15, "steps.screen has no member 'outptu' (it has output, status, code, attempt); did you mean 'output'?"),
        ("steps['screen']['stauts']", 18, "steps.screen has no member 'stauts' (it has output, status, code, attempt); did you mean 'status'?"),
        ("steps.screan.output", 8, "no step has the id 'screan'; did you mean 'screen'?"),
        ("steps.nothing.output", 8, "no step has the id 'nothing'"),
        ("state.attemps > 1", 8, "'attemps' is not written by initialState, a variable or any step; did you mean 'attempts'?"),
        ("params.treshold > 1", 9, "'treshold' is not a declared variable; did you mean 'threshold'?"),
        ("input.consentAT == null", 8, "'consentAT' is not a property of the inputSchema; did you mean 'consentAt'?"),
        ("case.firstname == 'x'", 7, "the case has no field 'firstname' (it has id, externalId, firstName, lastName, personalNumber, email, companyName, companyNumber, companyAddress, data); did you mean 'firstName'?"),
        ("run.ID == 'x'", 6, "run has no member 'ID' (it has id, createdAt, correlationId, workflowDefinitionId, version); did you mean 'id'?"),
        ("now.year == 1", 6, "now is a string and has no member 'year'"),
    ]

    @Test(arguments: refused)
    func aPathThatReadsNothingIsRefused(path: String, column: Int, reason: String) throws {
        let found = try errors(reading: path)
        let template = "${\(path) ? 'reject' : 'approve'}"
        #expect(found == [FieldError(property: "/steps/2/config/set/decision", message: "\(template) at column \(column): \(reason)")])
    }

    static let accepted = [
        "state.attempts == 0", "state.threshold == 50", "params.threshold > 1", "input.channel == 'web'",
        "steps.screen.output.body.anything.deeper == 1", "steps.screen == null", "steps['screen'].status == 'OK'",
        "case.data.anything == 1", "case.companyNumber == null", "run.correlationId == null", "now > ''",
        "state[input.channel] == 1", "input.channel in ['a'] && len(steps) > 0", "coalesce(state.sanctionsHit, false)",
    ]

    @Test(arguments: accepted)
    func pathsTheContextHasAreAccepted(path: String) throws {
        #expect(try errors(reading: path).isEmpty)
    }

    @Test func everyTemplateOfTheDefinitionIsCheckedAtItsOwnPointer() throws {
        let found = try problems(
            """
            {"name": "x", "rateLimit": {"key": "${case.companyNumbr}", "concurrentExecLimit": 1},
             "steps": [
               {"id": "a", "action": "http.request",
                "config": {"url": "https://x.example/${stpes.a}", "headers": {"X-A": "${case.nam}"}, "body": {"list": ["ok", "${stat.x}"]}},
                "next": [{"when": "${steps.a.outptu.ok}", "stepId": "b"}]},
               {"id": "b", "action": "complete"}],
             "output": {"x": "${state.nothing}"}}
            """)
        #expect(found.map(\.property) == ["/steps/0/config/body/list/1", "/steps/0/config/headers/X-A", "/steps/0/config/url", "/steps/0/next/0/when", "/output/x", "/rateLimit/key"])
    }

    @Test func paramsAreCheckedEvenWithoutVariables() throws {
        let found = try problems(#"{"name": "x", "steps": [{"id": "a", "action": "complete", "config": {"result": "${params.limit}"}}]}"#)
        #expect(found.map(\.message) == ["${params.limit} at column 9: 'limit' is not a declared variable (the definition declares no variables)"])
    }

    @Test func inputKeysAreCheckedOnlyWhenTheSchemaDeclaresThem() throws {
        func result(_ schema: String) throws -> [FieldError] {
            try problems(#"{"name": "x", "inputSchema": \#(schema), "steps": [{"id": "a", "action": "complete", "config": {"result": "${input.other}"}}]}"#)
        }
        #expect(try result(#"{"type": "object", "properties": {"a": {}}}"#).count == 1)
        #expect(try result(#"{"type": "object", "properties": {"a": {}}, "additionalProperties": false}"#).count == 1)
        #expect(try result(#"{"type": "object", "properties": {"a": {}}, "additionalProperties": true}"#).isEmpty)
        #expect(try result(#"{"type": "object", "properties": {"a": {}}, "additionalProperties": {"type": "string"}}"#).isEmpty)
        #expect(try result(#"{"type": "object"}"#).isEmpty)
        #expect(try problems(#"{"name": "x", "steps": [{"id": "a", "action": "complete", "config": {"result": "${input.other}"}}]}"#).isEmpty)
    }

    @Test func theRateLimitKeyCannotReadStepsNorStateWrittenByThem() throws {
        func messages(_ key: String) throws -> [String] {
            try problems(
                #"{"name": "x", "initialState": {"region": "eu"}, "rateLimit": {"key": "\#(key)", "concurrentExecLimit": 1}, "steps": [{"id": "a", "action": "transform", "config": {"set": {"later": 1}}}]}"#
            ).map(\.message)
        }
        #expect(try messages("${steps.a.output}") == ["${steps.a.output} at column 3: rateLimit.key is evaluated before any step runs: it cannot read steps"])
        #expect(try messages("${state.later}") == ["${state.later} at column 8: 'later' is written by a step, but rateLimit.key is evaluated before any step runs"])
        #expect(try messages("${state.region}-${case.companyNumber}").isEmpty)
    }

    @Test func storedVersionsLoadWithoutThePathChecks() throws {
        let stored = try JSONText.decode(Self.sanctions.replacingOccurrences(of: "STATE_PATH", with: "state.sanctionHit"))
        #expect(throws: ValidationFailed.self) { try WorkflowDefinition(parsing: stored) }
        let loaded = try WorkflowDefinition(loading: stored)
        #expect(loaded.steps.count == 4)
    }

    @Test func nearMissesAreCloseNamesOnly() {
        #expect(NearMiss.suggestion(for: "sanctionHit", among: ["sanctionsHit", "decision"]) == "sanctionsHit")
        #expect(NearMiss.suggestion(for: "stpes", among: ["steps", "state"]) == "steps")
        #expect(NearMiss.suggestion(for: "FIRSTNAME", among: ["firstName"]) == "firstName")
        #expect(NearMiss.suggestion(for: "abc", among: ["xyz"]) == nil)
        #expect(NearMiss.suggestion(for: "workflow", among: ["case", "params", "input", "state", "steps", "run", "now"]) == nil)
        #expect(NearMiss.suggestion(for: "decison", among: ["decision", "decisions"]) == "decision")
    }
}
