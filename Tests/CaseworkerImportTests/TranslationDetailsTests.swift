@testable import CaseworkerImport
import CaseworkerCore
import Testing

/// The smaller decisions of the translation: defaults written out, optional tasks at the end,
/// templates, WAIT times, the action map's substitution.
@Suite struct TranslationDetailsTests {
    @Test func conductorsDefaultsAreWrittenOut() throws {
        let body = ImportTestSupport.json(#"""
            {"name": "d", "tasks": [
              {"taskReferenceName": "call", "type": "HTTP", "retryCount": 1, "optional": true,
               "inputParameters": {"uri": "https://x.example", "accept": "text/plain", "headers": {"accept": "application/json", "X-Try": 2}}},
              {"taskReferenceName": "route", "type": "SWITCH", "evaluatorType": "value-param", "expression": "v",
               "inputParameters": {"v": true}, "decisionCases": {"true": [], "false": [{"taskReferenceName": "no", "type": "HUMAN", "optional": true}]}},
              {"taskReferenceName": "end", "type": "TERMINATE", "optional": true, "inputParameters": {"terminationStatus": "COMPLETED"}}]}
            """#)
        let result = DefinitionImporter.translate(body, format: .conductor)
        let report = result.report
        #expect(report.refusals == [])
        #expect(result.definition["timeoutPolicy"] == "ALERT_ONLY")
        #expect(report.entry(at: "/timeoutPolicy") == .init(pointer: "/timeoutPolicy", outcome: .defaulted, target: "/timeoutPolicy", value: "ALERT_ONLY", coversValue: true))
        let steps = result.definition["steps"]?.arrayValue ?? []
        #expect(steps.first == [
            "id": "call", "action": "http.request",
            "config": ["url": "https://x.example", "headers": ["accept": "application/json", "X-Try": "2"]],
            "next": [["status": "KO", "stepId": "route"], ["status": "TIMEOUT", "stepId": "route"]],
            "retry": ["maxAttempts": 2, "backoff": "fixed", "initialDelaySeconds": 60, "maxDelaySeconds": 300, "jitter": false],
        ])
        #expect(report.summary(at: "/tasks/0/taskDefinition/retryLogic") == "defaulted /steps/0/retry/backoff")
        #expect(report.summary(at: "/tasks/0/taskDefinition/retryDelaySeconds") == "defaulted /steps/0/retry/initialDelaySeconds")
        #expect(report.entry(at: "/tasks/0/inputParameters/accept")?.reason == "headers names Accept too, and that header is sent")
        // An empty case with no default case: the run goes on after the switch, as for any other value.
        // An optional task at the end of a case goes where the switch goes; one ending the run changes nothing.
        #expect(steps[1] == [
            "id": "route", "action": "switch", "config": ["value": "true"],
            "next": [["code": "false", "steps": [[
                "id": "no", "action": "await", "config": ["signal": "no"],
                "next": [["status": "KO", "stepId": "end"], ["status": "TIMEOUT", "stepId": "end"]],
            ]]]],
        ])
        #expect(report.summary(at: "/tasks/1/decisionCases/true") == "ignored")
        #expect(steps[2] == ["id": "end", "action": "complete", "config": [:]])
        #expect(report.entry(at: "/tasks/2/optional")?.reason == "the task ends the run, so whether it may fail changes nothing")
        #expect(ImportTestSupport.unaccounted(body, report) == [])
        #expect(ImportTestSupport.validationErrors(result) == [])
    }

    @Test func anOptionalLastTaskStopsTheRun() {
        let body = ImportTestSupport.json(#"{"name": "o", "tasks": [{"taskReferenceName": "last", "type": "WAIT", "optional": true, "inputParameters": {"until": "2025-06-01 09:30 GMT+02:00"}}]}"#)
        let result = DefinitionImporter.translate(body, format: .conductor)
        #expect(result.definition["steps"] == [[
            "id": "last", "action": "wait", "config": ["until": "2025-06-01T09:30:00+02:00"],
            "next": [["status": "KO", "stop": true], ["status": "TIMEOUT", "stop": true]],
        ]])
        #expect(ImportTestSupport.validationErrors(result) == [])
    }

    @Test func conductorTemplatesTranslate() {
        let templates = ConductorTemplates(taskTypes: ["call": "HTTP", "sub": "SUB_WORKFLOW", "my-ref": "SET_VARIABLE"])
        let translations: [(String, String)] = [
            ("${workflow.input.x}", "${input.x}"),
            ("${workflow.variables.x.y}", "${state.x.y}"),
            ("${workflow.workflowId}", "${run.id}"),
            ("${workflow.correlationId}", "${run.correlationId}"),
            ("${sub.output.result[0].id}", "${steps.sub.output.result[0].id}"),
            ("${sub.status}", "${steps.sub.status}"),
            ("${call.output.response.body.score}", "${steps.call.output.body.score}"),
            ("${call.output.response.statusCode}", "${steps.call.output.status}"),
            ("${call.output.response.headers.etag}", "${steps.call.output.headers.etag}"),
            ("${my-ref.output['a-b']}", "${steps['my-ref'].output['a-b']}"),
            ("Dear ${workflow.input.name}, case ${workflow.workflowId}", "Dear ${input.name}, case ${run.id}"),
            ("cost: $${workflow.input.price}", "cost: ${'$'}${input.price}"),
            ("no template", "no template"),
        ]
        for (conductor, native) in translations {
            #expect(templates.translate(conductor) == .success(native), "\(conductor)")
        }
        for refused in ["${workflow.input.x", "${workflow.status}", "${call.output.body}", "${sub}", "${sub.input.a}", "${sub.code}",
            "${workflow.input.items[?(@.a)]}", "${other.output}"]
        {
            guard case .failure(let refusal) = templates.translate(refused) else {
                Issue.record("\(refused) is translated")
                continue
            }
            #expect(!refusal.reason.isEmpty)
        }
    }

    @Test func conductorTimesConvert() {
        for (text, seconds) in [("30s", 30), ("10 minutes", 600), ("1h 30m", 5400), ("2 days 4 hours", 187_200), ("1D, 2H", 93_600), ("45 secs", 45)] {
            #expect(ConductorTime.seconds(ofDuration: text) == seconds, "\(text)")
        }
        for text in ["", "soon", "10", "5m 5m", "1w", "-5s"] {
            #expect(ConductorTime.seconds(ofDuration: text) == nil, "\(text)")
        }
        for (text, time) in [("2024-04-30 15:20 GMT+04:00", "2024-04-30T15:20:00+04:00"), ("2024-04-30 15:20 UTC", "2024-04-30T15:20:00Z"),
            ("2024-04-30 15:20 -0530", "2024-04-30T15:20:00-05:30"), ("2024-04-30 15:20 UTC+1", "2024-04-30T15:20:00+01:00")]
        {
            #expect(ConductorTime.rfc3339(ofUntil: text) == .success(time), "\(text)")
        }
        for text in ["2024-04-30 15:20", "2024-04-30", "2024-04-30 15:20 PST", "2024-13-30 15:20 UTC", "2024-04-30 15:20 GMT+25:00"] {
            guard case .failure = ConductorTime.rfc3339(ofUntil: text) else {
                Issue.record("\(text) converts")
                continue
            }
        }
    }

    @Test func theActionMapSubstitutesTheStepsConfig() {
        let config: JSONValue = ["to": "ada@example.com", "n": 3, "tags": ["a"], "note": "literal ${not.a.template}", "nested": ["k": "v"]]
        let template: JSONValue = [
            "url": "https://x.example/${config.nested.k}?n=${config.n}&tags=${config.tags}&missing=${config.none}",
            "body": ["all": "${config}", "to": "${config.to}", "n": "${config.n}", "absent": "${config.none}", "note": "${config.note}",
                     "runtime": "${case.email}", "escaped": "$${config.to}", "list": ["${ config.tags.0 }"]],
            "method": "POST", "timeoutSeconds": 10,
        ]
        #expect(ActionMapSubstitution.substitute(template, config: config) == [
            "url": #"https://x.example/v?n=3&tags=["a"]&missing="#,
            "body": ["all": ["to": "ada@example.com", "n": 3, "tags": ["a"], "note": "literal $${not.a.template}", "nested": ["k": "v"]],
                     "to": "ada@example.com", "n": 3, "absent": nil, "note": "literal $${not.a.template}",
                     "runtime": "${case.email}", "escaped": "$${config.to}", "list": ["a"]],
            "method": "POST", "timeoutSeconds": 10,
        ])
    }
}
