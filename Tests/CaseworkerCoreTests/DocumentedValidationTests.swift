import CaseworkerCore
import Foundation
import Testing

/// Section 8 of `docs/workflows.md` lists every save-time check with an example pointer and
/// message: each row is produced by the definition below for it, exactly, and every case here
/// has its row. So the guide's messages are the code's.
@Suite struct DocumentedValidationTests {
    /// (pointer, message, a definition that fails with exactly that problem among its own).
    static let cases: [(pointer: String, message: String, body: String)] = [
        ("/name", "is required", #"{"steps": [{"id": "a", "action": "complete"}]}"#),
        ("/steps/0/retry/maxAttemps", "is not a retry policy member",
         #"{"name": "x", "steps": [{"id": "a", "action": "complete", "retry": {"maxAttemps": 3}}]}"#),
        ("/steps/0/timeoutSeconds", "must be a number of seconds from 0.001 to 31622400",
         #"{"name": "x", "steps": [{"id": "a", "action": "complete", "timeoutSeconds": "30"}]}"#),
        ("/rescue/0/id", "duplicates the id of the step at /steps/0",
         #"{"name": "x", "steps": [{"id": "a", "action": "complete"}], "rescue": [{"id": "a", "action": "complete"}]}"#),
        ("/steps/0/next/0/stepId", "names no step of this definition: 'aprove'",
         #"{"name": "x", "steps": [{"id": "a", "action": "transform", "config": {"set": {"v": 1}}, "next": [{"stepId": "aprove"}]}, {"id": "approve", "action": "complete"}]}"#),
        ("/rescue/0/next/0/stepId", "must name a rescue step; 'verify' is in the main flow",
         #"{"name": "x", "steps": [{"id": "verify", "action": "complete"}], "rescue": [{"id": "r", "action": "transform", "config": {"set": {"v": 1}}, "next": [{"stepId": "verify"}]}]}"#),
        ("/steps/0/config/branches/0/steps/0/next/0/stepId", "must name a step of branch a of parallel step fan; 'after' is in the main flow",
         #"{"name": "x", "steps": [{"id": "fan", "action": "parallel", "config": {"branches": [{"id": "a", "steps": [{"id": "a1", "action": "transform", "config": {"set": {"v": 1}}, "next": [{"stepId": "after"}]}]}]}}, {"id": "after", "action": "complete"}]}"#),
        ("/steps/0/config/branches", "must have at least one branch",
         #"{"name": "x", "steps": [{"id": "fan", "action": "parallel", "config": {"branches": []}}]}"#),
        ("/steps/0/next/0", "must have exactly one of stepId, steps or stop",
         #"{"name": "x", "steps": [{"id": "a", "action": "transform", "config": {"set": {"v": 1}}, "next": [{"status": "OK"}]}]}"#),
        ("/steps/0/action", "is not a known action (known: http.request, transform, switch, wait, await, workflow.run, complete, fail, event.emit, parallel, task, exec)",
         #"{"name": "x", "steps": [{"id": "a", "action": "teleport"}]}"#),
        ("/steps/0/config/method", "must be one of DELETE, GET, HEAD, PATCH, POST, PUT",
         #"{"name": "x", "steps": [{"id": "a", "action": "http.request", "config": {"url": "https://x.example", "method": "FETCH"}}]}"#),
        ("/steps/0/config/program", "names no program of engine.exec.programs (known: sanctions-check)",
         #"{"name": "x", "steps": [{"id": "a", "action": "exec", "config": {"program": "world-check", "timeoutSeconds": 5}}]}"#),
        ("/steps/0/config/timeoutSeconds", "must be a number of seconds from 0.001 to 300, or exactly one ${...} expression that computes one",
         #"{"name": "x", "steps": [{"id": "a", "action": "http.request", "config": {"url": "https://x.example", "timeoutSeconds": "30"}}]}"#),
        ("/steps/0/next/0/when", "${steps.verify.output.body.score >= } at column 37: expected an expression after '>='",
         #"{"name": "x", "steps": [{"id": "verify", "action": "http.request", "config": {"url": "https://x.example"}, "next": [{"when": "${steps.verify.output.body.score >= }", "stop": true}]}]}"#),
        ("/steps/1/config/set/decision",
         "${stat.sanctionsHit ? 'reject' : 'approve'} at column 3: unknown name 'stat' (a template reads case, params, input, state, steps, run and now); did you mean 'state'?",
         sanctions("stat.sanctionsHit")),
        ("/steps/0/next/0/when", "${steps.verfy.status == 'OK'} at column 8: no step has the id 'verfy'; did you mean 'verify'?",
         #"{"name": "x", "steps": [{"id": "verify", "action": "http.request", "config": {"url": "https://x.example"}, "next": [{"when": "${steps.verfy.status == 'OK'}", "stop": true}]}]}"#),
        ("/output/score",
         "${steps.verify.outptu.body.score} at column 15: steps.verify has no member 'outptu' (it has output, status, code, attempt); did you mean 'output'?",
         #"{"name": "x", "steps": [{"id": "verify", "action": "http.request", "config": {"url": "https://x.example"}}], "output": {"score": "${steps.verify.outptu.body.score}"}}"#),
        ("/steps/1/config/set/decision",
         "${state.sanctionHit ? 'reject' : 'approve'} at column 8: 'sanctionHit' is not written by initialState, a variable or any step; did you mean 'sanctionsHit'?",
         sanctions("state.sanctionHit")),
        ("/steps/0/config/timeoutSeconds", "${params.timout} at column 9: 'timout' is not a declared variable; did you mean 'timeout'?",
         #"{"name": "x", "variables": {"timeout": {"type": "integer", "default": 10}}, "steps": [{"id": "a", "action": "http.request", "config": {"url": "https://x.example", "timeoutSeconds": "${params.timout}"}}]}"#),
        ("/steps/0/config/result", "${params.limit} at column 9: 'limit' is not a declared variable (the definition declares no variables)",
         #"{"name": "x", "steps": [{"id": "a", "action": "complete", "config": {"result": "${params.limit}"}}]}"#),
        ("/steps/0/config/body/consentAt", "${input.consentAT} at column 8: 'consentAT' is not a property of the inputSchema; did you mean 'consentAt'?",
         #"{"name": "x", "inputSchema": {"type": "object", "properties": {"consentAt": {"type": "string"}}}, "steps": [{"id": "a", "action": "http.request", "config": {"url": "https://x.example", "body": {"consentAt": "${input.consentAT}"}}}]}"#),
        ("/steps/0/config/body/firstName",
         "${case.firstname} at column 7: the case has no field 'firstname' (it has id, externalId, firstName, lastName, personalNumber, email, companyName, companyNumber, companyAddress, data); did you mean 'firstName'?",
         #"{"name": "x", "steps": [{"id": "a", "action": "http.request", "config": {"url": "https://x.example", "body": {"firstName": "${case.firstname}"}}}]}"#),
        ("/steps/0/config/body/reference",
         "${run.ID} at column 6: run has no member 'ID' (it has id, createdAt, correlationId, workflowDefinitionId, version); did you mean 'id'?",
         #"{"name": "x", "steps": [{"id": "a", "action": "http.request", "config": {"url": "https://x.example", "body": {"reference": "${run.ID}"}}}]}"#),
        ("/output/decidedAt", "${now.date} at column 6: now is a string and has no member 'date'",
         #"{"name": "x", "steps": [{"id": "a", "action": "complete"}], "output": {"decidedAt": "${now.date}"}}"#),
        ("/rateLimit/key", "${steps.lookup.output} at column 3: rateLimit.key is evaluated before any step runs: it cannot read steps",
         #"{"name": "x", "rateLimit": {"key": "${steps.lookup.output}", "concurrentExecLimit": 1}, "steps": [{"id": "lookup", "action": "complete"}]}"#),
        ("/rateLimit/key", "${state.region} at column 8: 'region' is written by a step, but rateLimit.key is evaluated before any step runs",
         #"{"name": "x", "rateLimit": {"key": "${state.region}", "concurrentExecLimit": 1}, "steps": [{"id": "a", "action": "transform", "config": {"set": {"region": "eu"}}}]}"#),
        ("/inputSchema/properties/email/format", "unknown format 'e-mail' (supported: date, date-time, email, uuid)",
         #"{"name": "x", "inputSchema": {"type": "object", "properties": {"email": {"type": "string", "format": "e-mail"}}}, "steps": [{"id": "a", "action": "complete"}]}"#),
        ("/variables/threshold/default", "must be of type integer, got string",
         #"{"name": "x", "variables": {"threshold": {"type": "integer", "default": "50"}}, "steps": [{"id": "a", "action": "complete"}]}"#),
        ("/enforceSchema", "needs an inputSchema to enforce",
         #"{"name": "x", "enforceSchema": true, "steps": [{"id": "a", "action": "complete"}]}"#),
        ("/steps/1", "is unreachable: no path from the first step leads to step 'after'",
         #"{"name": "x", "steps": [{"id": "a", "action": "complete"}, {"id": "after", "action": "complete"}]}"#),
    ]

    /// The programs the guide's installation lists (`engine.exec.programs`).
    static let rules = DefinitionRules(execPrograms: ["sanctions-check"])

    /// The sanctions decision of the guide, reading `path`.
    static func sanctions(_ path: String) -> String {
        """
        {"name": "x", "steps": [
          {"id": "summarize", "action": "transform", "config": {"set": {"sanctionsHit": true}}},
          {"id": "decide", "action": "transform", "config": {"set": {"decision": "${\(path) ? 'reject' : 'approve'}"}}}]}
        """
    }

    static func section8() throws -> String {
        let guide = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/workflows.md")
        let text = try String(contentsOf: guide, encoding: .utf8)
        let start = try #require(text.range(of: "## 8. Validation at save"))
        let end = try #require(text.range(of: "## 9. Example definitions"))
        return String(text[start.upperBound..<end.lowerBound])
    }

    /// The (pointer, message) of each row of the section's table: `| check | `pointer` | `message` |`.
    static func documentedRows() throws -> [(pointer: String, message: String)] {
        try section8().split(separator: "\n").compactMap { line -> (String, String)? in
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 5, cells[2].hasPrefix("`/"), cells[3].hasPrefix("`"), cells[3].hasSuffix("`") else { return nil }
            return (String(cells[2].dropFirst().dropLast()), String(cells[3].dropFirst().dropLast()))
        }
    }

    @Test func everyDocumentedCheckIsWhatTheCodeSays() throws {
        let rows = try Self.documentedRows()
        #expect(rows.count == Self.cases.count)
        for (pointer, message, body) in Self.cases {
            #expect(rows.contains { $0 == (pointer, message) }, "no row in docs/workflows.md section 8 for \(pointer): \(message)")
            let found = try problems(body, rules: Self.rules)
            #expect(found.contains(FieldError(property: pointer, message: message)), "the code says \(found) for \(body)")
        }
        for row in rows {
            #expect(Self.cases.contains { $0.pointer == row.pointer && $0.message == row.message }, "documented but not tested: \(row)")
        }
    }

    @Test func theExampleAnswerQuotesDocumentedMessages() throws {
        let section = try Self.section8()
        let documented = Set(try Self.documentedRows().map(\.message))
        var quoted: [String] = []
        for line in section.split(separator: "\n") {
            guard let range = line.range(of: #""message": ""#) else { continue }
            var message = String(line[range.upperBound...])
            while message.hasSuffix(",") || message.hasSuffix("}") { message.removeLast() }
            quoted.append(String(message.dropLast()))  // the closing quote
        }
        #expect(quoted.count == 6)
        for message in quoted { #expect(documented.contains(message), "\(message) is not a documented message") }
    }
}
