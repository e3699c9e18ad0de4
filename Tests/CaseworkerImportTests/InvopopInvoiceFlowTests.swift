@testable import CaseworkerImport
import CaseworkerCore
import Testing

/// The Invopop invoice flow (`RealisticFlows.invopopInvoice`): provider actions mapped, nested
/// branches, a jump, rescue steps, editor placeholders, vendor members kept.
@Suite struct InvopopInvoiceFlowTests {
    static let body = ImportTestSupport.json(RealisticFlows.invopopInvoice)
    static let result = DefinitionImporter.translate(body, format: .invopop, actionMap: RealisticFlows.invoiceActionMap)

    @Test func translatesToTheExpectedNativeDefinition() {
        #expect(Self.result.report.refusals == [])
        let expected = ImportTestSupport.json(RealisticFlows.invopopInvoiceNative)
        #expect(Self.result.definition == expected)
        let steps = Self.result.definition["steps"]?.arrayValue ?? []
        for (step, wanted) in zip(steps, expected["steps"]?.arrayValue ?? []) {
            #expect(step == wanted, "\(JSONText.encode(step))")
        }
        #expect(Self.result.definition["rescue"] == expected["rescue"])
        #expect(Self.result.suggestedId == "2d8f6b5e-6c1a-4a5b-9d7e-3f1c2b4a5e6f")
        #expect(Self.result.isDraft == false)
    }

    @Test func passesTheNativeValidation() throws {
        #expect(ImportTestSupport.validationErrors(Self.result) == [])
        let prepared = try DefinitionImport.prepare(Self.body, format: .invopop, actionMap: RealisticFlows.invoiceActionMap, id: "invoice")
        #expect(prepared.id == "invoice")
        #expect(prepared.definition.rescue.count == 1)
        // Without an id the body's own (a UUID, a valid definition id) is used.
        #expect(try DefinitionImport.prepare(Self.body, format: .invopop, actionMap: RealisticFlows.invoiceActionMap, id: nil).id
            == "2d8f6b5e-6c1a-4a5b-9d7e-3f1c2b4a5e6f")
    }

    @Test func reportsTheWorkflowsMembers() {
        let report = Self.result.report
        #expect(report.format == .invopop)
        let expected: [String: String] = [
            "/id": "ignored",
            "/name": "mapped /name",
            "/description": "mapped /description",
            "/country": "kept /metadata/invopop/country",
            "/schema": "kept /metadata/invopop/schema",
            "/draft": "mapped /isDraft",
            "/steps": "mapped /steps",
            "/rescue": "mapped /rescue",
        ]
        for (pointer, summary) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(report.summary(at: pointer) == summary, "\(pointer)")
        }
        #expect(report.entry(at: "/id")?.reason?.contains("suggested as the id") == true)
    }

    @Test func reportsTheStepsRulesAndPlaceholders() {
        let report = Self.result.report
        let expected: [String: String] = [
            "/steps/0/id": "mapped /steps/0/id",
            "/steps/0/action": "mapped /steps/0/action",
            "/steps/0/config": "mapped /steps/0/config",
            "/steps/0/position": "kept /metadata/invopop/steps/sign/position",
            "/steps/1/next": "mapped /steps/1/next",
            "/steps/1/next/0/status": "mapped /steps/1/next/0/status",
            "/steps/1/next/0/code": "ignored",
            "/steps/1/next/0/steps": "mapped /steps/1/next/0/steps",
            "/steps/1/next/0/steps/1/action": "mapped /steps/1/next/0/steps/1/action",
            "/steps/1/next/0/steps/1/notes": "mapped /steps/1/next/0/steps/1/notes",
            "/steps/1/next/0/stop": "ignored",
            "/steps/1/next/1/code": "mapped /steps/1/next/1/code",
            "/steps/1/next/1/step_id": "mapped /steps/1/next/1/stepId",
            "/steps/1/next/2/steps": "mapped /steps/1/next/2/steps",
            "/steps/1/next/2/steps/0/action": "mapped /steps/1/next/2/steps/0/action",
            "/steps/1/next/2/steps/1/id": "mapped /steps/1/next/2/steps/1/id",
            "/steps/1/next/2/steps/2": "ignored",
            "/steps/2/summary": "mapped /steps/2/summary",
            "/rescue/0/action": "mapped /rescue/0/action",
            "/rescue/0/next/0/status": "ignored",
            "/rescue/0/next/0/stop": "mapped /rescue/0/next/0/stop",
            "/rescue/1": "ignored",
        ]
        for (pointer, summary) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(report.summary(at: pointer) == summary, "\(pointer)")
        }
        #expect(report.entry(at: "/steps/1/next/0/stop")?.reason == "false: the rule does not stop the run")
        #expect(report.entry(at: "/rescue/0/next/0/status")?.reason == "empty: matches any status, as a rule without status does")
        #expect(report.entry(at: "/rescue/1")?.reason?.contains("placeholder") == true)
    }

    @Test func everyMemberIsAccountedFor() {
        #expect(ImportTestSupport.unaccounted(Self.body, Self.result.report) == [])
    }

    @Test func withoutTheActionMapEachProviderActionIsRefusedByPointer() {
        let result = DefinitionImporter.translate(Self.body, format: .invopop)
        #expect(result.report.refusals.map(\.pointer) == [
            "/rescue/0/action", "/steps/0/action", "/steps/1/action", "/steps/1/next/0/steps/0/action", "/steps/1/next/0/steps/1/action",
        ])
        #expect(result.report.entry(at: "/steps/1/action")?.reason
            == "verifactu.register is an unmapped provider action: map it to an http.request config with --map-action verifactu.register=FILE or ?actionMap=")
        #expect(ImportTestSupport.unaccounted(Self.body, result.report) == [])
        // The native actions in the flow are not refused.
        #expect(result.report.summary(at: "/steps/1/next/2/steps/0/action") == "mapped /steps/1/next/2/steps/0/action")
        #expect(throws: DefinitionImport.Refusal.self) {
            try DefinitionImport.prepare(Self.body, format: .invopop, id: "invoice")
        }
    }

    @Test func aPartialActionMapRefusesOnlyWhatIsLeft() {
        var map = RealisticFlows.invoiceActionMap
        map["email.send"] = nil
        let result = DefinitionImporter.translate(Self.body, format: .invopop, actionMap: map)
        #expect(result.report.refusals.map(\.pointer) == ["/rescue/0/action", "/steps/1/next/0/steps/1/action"])
    }
}
