@testable import CaseworkerImport
import CaseworkerCore
import Testing

/// What an Invopop body cannot become, and the rules' targets.
@Suite struct InvopopRefusalTests {
    static func translate(_ text: String, actionMap: [String: JSONValue] = [:]) -> (JSONValue, ImportResult) {
        let body = ImportTestSupport.json(text)
        return (body, DefinitionImporter.translate(body, format: .invopop, actionMap: actionMap))
    }

    @Test func aRuleWhoseOnlyTargetIsAnEmptyNestedStepIsRefused() {
        let (body, result) = Self.translate(#"""
            {"name": "n", "steps": [{"id": "a", "action": "transform", "config": {"set": {"x": 1}},
                                     "next": [{"status": "KO", "steps": [{}]}, {"status": "OK", "steps": [], "stop": false}]}]}
            """#)
        let report = result.report
        #expect(report.refusals.map(\.pointer) == ["/steps/0/next/0", "/steps/0/next/1"])
        #expect(report.entry(at: "/steps/0/next/0")?.reason == "has no target: give it steps, a step_id or stop: true")
        #expect(report.summary(at: "/steps/0/next/0/steps/0") == "ignored")
        #expect(report.entry(at: "/steps/0/next/1/steps")?.reason == "empty: no steps to run")
        #expect(ImportTestSupport.unaccounted(body, report) == [])
        #expect(result.definition["steps"]?.arrayValue?.first?["next"] == nil)
    }

    @Test func aWorkflowOfPlaceholdersOnlyIsRefused() {
        let (body, result) = Self.translate(#"{"name": "n", "steps": [{}, {}]}"#)
        #expect(result.report.refusals.map(\.pointer) == ["/steps"])
        #expect(result.report.entries(at: "/steps").map(\.outcome) == [.mapped, .refused])
        #expect(ImportTestSupport.unaccounted(body, result.report) == [])
    }

    @Test func malformedMembersAreRefusedByPointer() {
        let (body, result) = Self.translate(#"""
            {"description": 7, "draft": "yes", "rescue": {},
             "steps": [{"name": "no id"}, {"id": "has space", "action": 3, "config": [], "next": [{"status": "DONE", "code": 4, "step_id": 5, "stop": "no"}, 9]},
                       "text"]}
            """#)
        #expect(result.report.refusals.map(\.pointer) == [
            "/name", "/description", "/draft", "/rescue", "/steps/0/id", "/steps/0/action", "/steps/1/action", "/steps/1/config", "/steps/1/id",
            "/steps/1/next/0/code", "/steps/1/next/0/status", "/steps/1/next/0/step_id", "/steps/1/next/0/stop", "/steps/1/next/0", "/steps/1/next/1",
            "/steps/2",
        ])
        #expect(result.report.entry(at: "/steps/1/next/0/status")?.reason == "\"DONE\" is not a status (OK, KO, or empty for any)")
        #expect(ImportTestSupport.unaccounted(body, result.report) == [])
        let (_, notObject) = Self.translate("[]")
        #expect(notObject.report.refusals.map(\.pointer) == [""])
    }

    @Test func anActionMapEntryMustBeAConfigObject() {
        let (_, result) = Self.translate(#"{"name": "n", "steps": [{"id": "a", "action": "email.send"}]}"#, actionMap: ["email.send": "https://x.example"])
        #expect(result.report.refusals.map(\.pointer) == ["/steps/0/action"])
        #expect(result.report.entry(at: "/steps/0/action")?.reason == "the action map's template for email.send must be an http.request config object")
    }

    @Test func aRuleTakesOneTargetInOrderStepsStepIdStop() {
        let (body, result) = Self.translate(#"""
            {"name": "n", "steps": [
              {"id": "a", "action": "transform", "config": {"set": {"x": 1}},
               "next": [{"code": "x", "steps": [{"id": "b", "action": "complete"}], "step_id": "c", "stop": true},
                        {"code": "y", "step_id": "c", "stop": true}, {"code": "z", "step_id": "", "stop": true}, {"when": "${state.x == 1}", "stop": true}]},
              {"id": "c", "action": "complete"}]}
            """#)
        #expect(result.report.refusals == [])
        #expect(result.definition["steps"]?.arrayValue?.first?["next"] == [
            ["code": "x", "steps": [["id": "b", "action": "complete"]]], ["code": "y", "stepId": "c"], ["code": "z", "stop": true],
            ["stop": true],
        ])
        let report = result.report
        #expect(report.summary(at: "/steps/0/next/0/steps") == "mapped /steps/0/next/0/steps")
        #expect(report.entry(at: "/steps/0/next/0/step_id")?.reason == "a rule has one target; the earlier one (steps) is taken")
        #expect(report.entry(at: "/steps/0/next/0/stop")?.reason == "a rule has one target; the earlier one (steps) is taken")
        #expect(report.summary(at: "/steps/0/next/1/step_id") == "mapped /steps/0/next/1/stepId")
        #expect(report.entry(at: "/steps/0/next/2/step_id")?.reason == "empty: no step to go to")
        #expect(report.summary(at: "/steps/0/next/2/stop") == "mapped /steps/0/next/2/stop")
        // A rule member Invopop has and Caseworker does not read is kept, by the step's id.
        #expect(report.summary(at: "/steps/0/next/3/when") == "kept /metadata/invopop/steps/a/next/3/when")
        #expect(ImportTestSupport.unaccounted(body, report) == [])
        #expect(ImportTestSupport.validationErrors(result) == [])
    }
}
