@testable import CaseworkerImport
import CaseworkerCore
import CaseworkerTestSupport
import Testing

/// The formats' published examples (`../shared/examples/`), and the walker itself.
@Suite struct PublishedExamplesTests {
    static let conductor = ImportTestSupport.json(ForeignDefinitionExamples.conductor)
    static let invopop = ImportTestSupport.json(ForeignDefinitionExamples.invopop)
    static let emailMap: [String: JSONValue] = ["email.send": ["method": "POST", "url": "https://mail.example.com/send", "body": "${config}"]]

    @Test func theConductorExampleImportsAsItIs() throws {
        let result = DefinitionImporter.translate(Self.conductor, format: .conductor)
        #expect(result.report.refusals == [])
        #expect(result.definition == ImportTestSupport.json(#"""
            {"name": "api-test", "description": "Sample workflow created using API", "owner": "john.doe@acme.com",
             "timeoutPolicy": "ALERT_ONLY", "timeoutSeconds": 0, "rateLimit": {"key": "12", "concurrentExecLimit": 33},
             "steps": [{"id": "event_ref", "name": "event", "action": "event.emit", "config": {"type": "internal_event_name"}}],
             "metadata": {"conductor": {"schemaVersion": 2, "restartable": false, "workflowStatusListenerEnabled": false,
                                        "tasks": {"event_ref": {"sink": "ibm_mq:internal_event_name"}}}}}
            """#))
        let report = result.report
        for (pointer, summary) in [
            ("/tasks/0/sink", "mapped /steps/0/config/type"), ("/tasks/0/inputParameters", "ignored"), ("/tasks/0/decisionCases", "ignored"),
            ("/tasks/0/onStateChange", "ignored"), ("/tasks/0/optional", "ignored"), ("/failureWorkflow", "ignored"),
            ("/enforceSchema", "ignored"), ("/inputTemplate", "ignored"), ("/outputParameters", "ignored"), ("/variables", "ignored"),
            ("/rateLimitConfig", "mapped /rateLimit"), ("/timeoutPolicy", "mapped /timeoutPolicy"), ("/createTime", "ignored"),
            ("/inputParameters", "ignored"), ("/schemaVersion", "kept /metadata/conductor/schemaVersion"),
        ] {
            #expect(report.summary(at: pointer) == summary, "\(pointer)")
        }
        #expect(report.entry(at: "/failureWorkflow")?.reason == "empty: no failure workflow")
        #expect(ImportTestSupport.unaccounted(Self.conductor, report) == [])
        #expect(ImportTestSupport.validationErrors(result) == [])
        #expect(try DefinitionImport.prepare(Self.conductor, format: .conductor, id: nil).id == "api-test")
    }

    @Test func theInvopopExampleIsRefusedNamingTheUnmappedActionAndTheEmptyNestedStep() {
        let result = DefinitionImporter.translate(Self.invopop, format: .invopop)
        let report = result.report
        #expect(report.refusals.map(\.pointer) == ["/steps/0/action"])
        #expect(report.entry(at: "/steps/0/action")?.reason?.contains("email.send is an unmapped provider action") == true)
        #expect(report.summary(at: "/steps/0/next/0/steps/0") == "ignored")
        #expect(report.entry(at: "/steps/0/next/0/steps")?.reason == "only empty placeholder steps: nothing to run, so the rule takes its other target")
        #expect(report.summary(at: "/steps/0/next/0/step_id") == "mapped /steps/0/next/0/stepId")
        #expect(report.entry(at: "/steps/0/next/0/stop")?.reason == "a rule has one target; the earlier one (step_id) is taken")
        #expect(ImportTestSupport.unaccounted(Self.invopop, report) == [])
        #expect(throws: DefinitionImport.Refusal.self) { try DefinitionImport.prepare(Self.invopop, format: .invopop, id: "invoice") }
    }

    @Test func theInvopopExampleImportsWithItsActionMapped() throws {
        let result = DefinitionImporter.translate(Self.invopop, format: .invopop, actionMap: Self.emailMap)
        #expect(result.report.refusals == [])
        let id = "186522a6-e697-4e34-8498-eee961bcb845"
        #expect(result.definition == [
            "name": "<string>", "description": "<string>",
            "steps": [[
                "id": .string(id), "name": "<string>", "notes": "<string>", "summary": "<string>", "action": "http.request",
                "config": ["method": "POST", "url": "https://mail.example.com/send", "body": [:]],
                "next": [["status": "OK", "code": "<string>", "stepId": .string(id)]],
            ]],
            "metadata": ["invopop": ["country": "ES", "schema": "bill/invoice"]],
        ])
        #expect(result.suggestedId == nil, "the example has no id: Invopop keeps it in the URL")
        #expect(result.isDraft == nil)
        #expect(ImportTestSupport.unaccounted(Self.invopop, result.report) == [])
        #expect(ImportTestSupport.validationErrors(result) == [])
        do {
            _ = try DefinitionImport.prepare(Self.invopop, format: .invopop, actionMap: Self.emailMap, id: nil)
            Issue.record("an Invopop body without id needs one")
        } catch {
            guard case .missingId = error else { Issue.record("\(error)"); return }
        }
        #expect(try DefinitionImport.prepare(Self.invopop, format: .invopop, actionMap: Self.emailMap, id: "invoice").id == "invoice")
    }

    @Test func theWalkerFindsAMemberLeftOut() {
        let result = DefinitionImporter.translate(Self.conductor, format: .conductor)
        var report = result.report
        report.entries.removeAll { $0.pointer == "/tasks/0/sink" || $0.pointer == "/rateLimitConfig/concurrentExecLimit" }
        #expect(ImportTestSupport.unaccounted(Self.conductor, report) == ["/rateLimitConfig/concurrentExecLimit", "/tasks/0/sink"])
        // A non-covering entry on an object does not account for its members.
        report = result.report
        report.entries.removeAll { $0.pointer == "/rateLimitConfig/rateLimitKey" }
        #expect(ImportTestSupport.unaccounted(Self.conductor, report) == ["/rateLimitConfig/rateLimitKey"])
        #expect(ImportTestSupport.pointers(in: ["a": [1, ["b": nil]]]) == ["/a", "/a/0", "/a/1", "/a/1/b"])
    }
}
