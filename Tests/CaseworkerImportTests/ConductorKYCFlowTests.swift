@testable import CaseworkerImport
import CaseworkerCore
import Testing

/// The Conductor KYC flow (`RealisticFlows.conductorKYC`): every task type the issue names, the
/// definition's members, and the report at the pointers that matter.
@Suite struct ConductorKYCFlowTests {
    static let body = ImportTestSupport.json(RealisticFlows.conductorKYC)
    static let result = DefinitionImporter.translate(body, format: .conductor)

    @Test func translatesToTheExpectedNativeDefinition() {
        #expect(Self.result.report.refusals == [])
        let expected = ImportTestSupport.json(RealisticFlows.conductorKYCNative)
        #expect(Self.result.definition == expected)
        // Step by step too, so that a difference is easy to read.
        let steps = Self.result.definition["steps"]?.arrayValue ?? []
        let expectedSteps = expected["steps"]?.arrayValue ?? []
        #expect(steps.count == expectedSteps.count)
        for (step, wanted) in zip(steps, expectedSteps) {
            #expect(step == wanted, "\(JSONText.encode(step))")
        }
        #expect(Self.result.suggestedId == "kyc_onboarding")
        #expect(Self.result.isDraft == nil)
    }

    @Test func passesTheNativeValidation() throws {
        #expect(ImportTestSupport.validationErrors(Self.result) == [])
        let prepared = try DefinitionImport.prepare(Self.body, format: .conductor, id: nil)
        #expect(prepared.id == "kyc_onboarding")
        #expect(prepared.definition.steps.count == 8)
        let given = try DefinitionImport.prepare(Self.body, format: .conductor, id: "kyc")
        #expect(given.id == "kyc")
    }

    @Test func reportsTheDefinitionsMembers() {
        let report = Self.result.report
        #expect(report.format == .conductor)
        let expected: [String: String] = [
            "/name": "mapped /name",
            "/description": "mapped /description",
            "/ownerEmail": "mapped /owner",
            "/version": "ignored",
            "/createTime": "ignored",
            "/updateTime": "ignored",
            "/createdBy": "ignored",
            "/tasks": "mapped /steps",
            "/outputParameters": "mapped /output",
            "/failureWorkflow": "mapped /failureWorkflow",
            "/timeoutSeconds": "mapped /timeoutSeconds",
            "/timeoutPolicy": "mapped /timeoutPolicy",
            "/variables": "mapped /initialState",
            "/rateLimitConfig": "mapped /rateLimit",
            "/rateLimitConfig/rateLimitKey": "mapped /rateLimit/key",
            "/rateLimitConfig/concurrentExecLimit": "mapped /rateLimit/concurrentExecLimit",
            "/enforceSchema": "ignored",
            "/inputSchema": "kept /metadata/conductor/inputSchema",
            "/inputParameters": "kept /metadata/conductor/inputParameters",
            "/inputTemplate": "ignored",
            "/schemaVersion": "kept /metadata/conductor/schemaVersion",
            "/restartable": "kept /metadata/conductor/restartable",
            "/workflowStatusListenerEnabled": "kept /metadata/conductor/workflowStatusListenerEnabled",
            "/workflowStatusListenerSink": "kept /metadata/conductor/workflowStatusListenerSink",
            "/tags": "kept /metadata/conductor/tags",
        ]
        for (pointer, summary) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(report.summary(at: pointer) == summary, "\(pointer)")
        }
        #expect(report.entry(at: "/enforceSchema")?.reason?.contains("inputSchema names a schema in its registry") == true)
        #expect(report.entry(at: "/version")?.reason?.contains("bookkeeping") == true)
        #expect(report.entry(at: "/inputTemplate")?.reason == "empty: no input defaults")
        // A timeoutPolicy given is mapped, not defaulted.
        #expect(report.entries.filter { $0.outcome == .defaulted && $0.pointer == "/timeoutPolicy" } == [])
    }

    @Test func reportsTheHTTPTasks() {
        let report = Self.result.report
        let expected: [String: String] = [
            "/tasks/0/taskReferenceName": "mapped /steps/0/id",
            "/tasks/0/name": "mapped /steps/0/name",
            "/tasks/0/type": "mapped /steps/0/action",
            "/tasks/0/inputParameters": "mapped /steps/0/config",
            "/tasks/0/inputParameters/http_request": "mapped /steps/0/config",
            "/tasks/0/inputParameters/http_request/uri": "mapped /steps/0/config/url",
            "/tasks/0/inputParameters/http_request/method": "mapped /steps/0/config/method",
            "/tasks/0/inputParameters/http_request/accept": "mapped /steps/0/config/headers/Accept",
            "/tasks/0/inputParameters/http_request/headers": "mapped /steps/0/config/headers",
            "/tasks/0/inputParameters/http_request/headers/X-Correlation-Id": "mapped /steps/0/config/headers/X-Correlation-Id",
            "/tasks/0/inputParameters/http_request/connectionTimeOut": "mapped /steps/0/config/timeoutSeconds",
            "/tasks/0/inputParameters/http_request/readTimeOut": "mapped /steps/0/config/timeoutSeconds",
            "/tasks/0/retryCount": "mapped /steps/0/retry/maxAttempts",
            "/tasks/0/taskDefinition": "mapped /steps/0",
            "/tasks/0/taskDefinition/name": "ignored",
            "/tasks/0/taskDefinition/retryLogic": "mapped /steps/0/retry/backoff",
            "/tasks/0/taskDefinition/retryDelaySeconds": "mapped /steps/0/retry/initialDelaySeconds",
            "/tasks/0/taskDefinition/timeoutSeconds": "mapped /steps/0/timeoutSeconds",
            "/tasks/0/taskDefinition/responseTimeoutSeconds": "kept /metadata/conductor/tasks/customer_ref/taskDefinition/responseTimeoutSeconds",
            "/tasks/0/optional": "ignored",
            "/tasks/0/startDelay": "ignored",
            "/tasks/0/asyncComplete": "ignored",
            "/tasks/1/inputParameters": "mapped /steps/1/config",
            "/tasks/1/inputParameters/uri": "mapped /steps/1/config/url",
            "/tasks/1/inputParameters/method": "mapped /steps/1/config/method",
            "/tasks/1/inputParameters/contentType": "mapped /steps/1/config/headers/Content-Type",
            "/tasks/1/inputParameters/body": "mapped /steps/1/config/body",
            "/tasks/1/optional": "mapped /steps/1/next/0",
        ]
        for (pointer, summary) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(report.summary(at: pointer) == summary, "\(pointer)")
        }
        #expect(report.entry(at: "/tasks/0/optional")?.reason == "Conductor's default")
        #expect(report.entry(at: "/tasks/1/inputParameters/body")?.coversValue == true)
    }

    @Test func reportsTheSwitchAndItsBranches() {
        let report = Self.result.report
        let expected: [String: String] = [
            "/tasks/2/inputParameters": "mapped /steps/2/config/set",
            "/tasks/3/type": "mapped /steps/3/action",
            "/tasks/3/evaluatorType": "mapped /steps/3/config/value",
            "/tasks/3/expression": "mapped /steps/3/config/value",
            "/tasks/3/inputParameters": "mapped /steps/3/config",
            "/tasks/3/inputParameters/level": "mapped /steps/3/config/value",
            "/tasks/3/decisionCases": "mapped /steps/3/next",
            "/tasks/3/decisionCases/blocked": "mapped /steps/3/next/0/steps",
            "/tasks/3/decisionCases/high": "mapped /steps/3/next/1/steps",
            "/tasks/3/decisionCases/low": "mapped /steps/3/next/2",
            "/tasks/3/defaultCase": "mapped /steps/3/next/3/steps",
            // TERMINATE TERMINATED in a case, with the reason defaulted.
            "/tasks/3/decisionCases/blocked/0/taskReferenceName": "mapped /steps/3/next/0/steps/0/id",
            "/tasks/3/decisionCases/blocked/0/inputParameters": "mapped /steps/3/next/0/steps/0/config",
            "/tasks/3/decisionCases/blocked/0/inputParameters/terminationStatus": "mapped /steps/3/next/0/steps/0/config/code",
            "/tasks/3/decisionCases/blocked/0/inputParameters/terminationReason":
                "defaulted /steps/3/next/0/steps/0/config/reason",
            // SUB_WORKFLOW.
            "/tasks/3/decisionCases/high/0/subWorkflowParam": "mapped /steps/3/next/1/steps/0/config",
            "/tasks/3/decisionCases/high/0/subWorkflowParam/name": "mapped /steps/3/next/1/steps/0/config/workflowDefinitionId",
            "/tasks/3/decisionCases/high/0/subWorkflowParam/version": "mapped /steps/3/next/1/steps/0/config/version",
            "/tasks/3/decisionCases/high/0/inputParameters": "mapped /steps/3/next/1/steps/0/config/input",
            // DECISION nested in a SWITCH case, with an input parameter it does not read kept.
            "/tasks/3/decisionCases/high/1/caseValueParam": "mapped /steps/3/next/1/steps/1/config/value",
            "/tasks/3/decisionCases/high/1/inputParameters/outcome": "mapped /steps/3/next/1/steps/1/config/value",
            "/tasks/3/decisionCases/high/1/inputParameters/reviewer":
                "kept /metadata/conductor/tasks/edd_decision/inputParameters/reviewer",
            "/tasks/3/decisionCases/high/1/decisionCases/rejected": "mapped /steps/3/next/1/steps/1/next/0/steps",
            "/tasks/3/decisionCases/high/1/decisionCases/rejected/0/inputParameters/terminationReason":
                "mapped /steps/3/next/1/steps/1/next/0/steps/0/config/reason",
            // The default case: a WAIT without duration (an await) and a SET_VARIABLE.
            "/tasks/3/defaultCase/0/type": "mapped /steps/3/next/3/steps/0/action",
            "/tasks/3/defaultCase/0/inputParameters": "ignored",
            "/tasks/3/defaultCase/1/inputParameters": "mapped /steps/3/next/3/steps/1/config/set",
        ]
        for (pointer, summary) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(report.summary(at: pointer) == summary, "\(pointer)")
        }
        #expect(
            report.entry(at: "/tasks/3/decisionCases/blocked/0/inputParameters/terminationReason")?.value
                == "terminated by the task blocked_ref")
    }

    @Test func reportsTheWaitTheEventAndTheEnd() {
        let report = Self.result.report
        let expected: [String: String] = [
            "/tasks/4/inputParameters": "mapped /steps/4/config",
            "/tasks/4/inputParameters/duration": "mapped /steps/4/config/seconds",
            // The start delay becomes its own wait step, so the event task's step is one further.
            "/tasks/5/startDelay": "mapped /steps/5/config/seconds",
            "/tasks/5/taskReferenceName": "mapped /steps/6/id",
            "/tasks/5/sink": "mapped /steps/6/config/type",
            "/tasks/5/inputParameters": "mapped /steps/6/config/data",
            "/tasks/5/optional": "mapped /steps/6/next/0",
            "/tasks/6/inputParameters": "mapped /steps/7/config",
            "/tasks/6/inputParameters/terminationStatus": "mapped /steps/7/action",
            "/tasks/6/inputParameters/workflowOutput": "mapped /steps/7/config/result",
        ]
        for (pointer, summary) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(report.summary(at: pointer) == summary, "\(pointer)")
        }
    }

    @Test func everyMemberIsAccountedFor() {
        #expect(ImportTestSupport.unaccounted(Self.body, Self.result.report) == [])
        // Kept entries always point at what the metadata holds.
        let definition = Self.result.definition
        for entry in Self.result.report.entries where entry.outcome == .kept {
            let target = entry.target ?? ""
            let path = target.split(separator: "/").map(String.init)
            let kept = path.reduce(Optional(definition)) { $0?[$1] }
            #expect(kept != nil, "\(entry.pointer) → \(target)")
        }
    }
}
