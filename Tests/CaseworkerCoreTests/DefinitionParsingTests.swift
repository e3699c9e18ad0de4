import CaseworkerCore
import Testing

@Suite struct DefinitionParsingTests {
    static let kyc = """
        {
          "name": "Customer verification", "description": "KYC", "owner": "risk", "tags": ["kyc", "eu"],
          "isDraft": false,
          "variables": {"threshold": {"type": "integer", "default": 50}},
          "initialState": {"attempts": 0, "decision": "pending"},
          "inputSchema": {"type": "object", "properties": {"channel": {"type": "string"}}},
          "enforceSchema": true,
          "steps": [
            {"id": "verify", "action": "http.request",
             "config": {"method": "POST", "url": "https://provider.example/verify",
                        "headers": {"X-Case": "${case.id}"}, "body": {"pn": "${case.personalNumber}"}, "okStatus": [200, 201]},
             "retry": {"maxAttempts": 5, "backoff": "fixed", "initialDelaySeconds": 2},
             "timeoutSeconds": 10,
             "next": [{"status": "OK", "when": "${steps.verify.output.body.score >= params.threshold}", "stepId": "approve"},
                      {"status": "OK", "steps": [
                          {"id": "review", "action": "await", "config": {"signal": "review", "timeoutSeconds": 3600}},
                          {"id": "decide", "action": "switch", "config": {"value": "${steps.review.output.decision}"},
                           "next": [{"code": "approve", "stepId": "approve"}, {"stop": true}]}]}]},
            {"id": "approve", "action": "complete", "config": {"result": {"decision": "approve"}}}
          ],
          "rescue": [{"id": "notify", "action": "transform", "config": {"set": {"failed": true}}}],
          "output": {"decision": "${state.decision}"},
          "timeoutSeconds": 86400, "timeoutPolicy": "ALERT_ONLY",
          "rateLimit": {"key": "${case.companyNumber}", "concurrentExecLimit": 2},
          "failureWorkflow": "manual-review",
          "errorHandling": {"retry": {"maxAttempts": 2}}
        }
        """

    @Test func parsesEveryMember() throws {
        let parsed = try definition(Self.kyc)
        #expect(parsed.name == "Customer verification")
        #expect(parsed.tags == ["kyc", "eu"])
        #expect(parsed.steps.map(\.id) == ["verify", "approve"])
        #expect(parsed.step("decide")?.action == .switch)
        #expect(parsed.step("notify")?.action == .transform)
        #expect(parsed.steps[0].retry == RetryPolicy(maxAttempts: 5, backoff: .fixed, initialDelaySeconds: 2))
        #expect(parsed.retryPolicy(for: parsed.step("review")!) == RetryPolicy(maxAttempts: 2))
        #expect(parsed.timeoutPolicy == .alertOnly)
        #expect(parsed.rateLimit?.concurrentExecLimit == 2)
        #expect(parsed.failureWorkflow == "manual-review")
        #expect(parsed.enforceSchema)
        #expect(parsed.document["isDraft"] == nil)
    }

    @Test func theHashIgnoresKeyOrderSaveOptionsAndResponseMembers() throws {
        let a = try definition(#"{"name": "x", "steps": [{"id": "a", "action": "complete"}]}"#)
        let b = try definition(
            #"{"steps": [{"action": "complete", "id": "a"}], "isDraft": true, "name": "x", "version": 3, "hash": "0000000000000000", "createdBy": "someone"}"#)
        #expect(a.hash == b.hash)
        #expect(a.hash.count == 16)
        #expect(a.hash.allSatisfy { $0.isHexDigit })
        let c = try definition(#"{"name": "y", "steps": [{"id": "a", "action": "complete"}]}"#)
        #expect(a.hash != c.hash)
    }

    @Test func reportsEveryProblemAtOnceWithPointers() throws {
        let errors = try problems(
            """
            {
              "name": "",
              "tags": ["ok", 7],
              "colour": "blue",
              "steps": [
                {"id": "a", "action": "http.request", "config": {"method": "FETCH", "timeoutSeconds": 900, "okStatus": [99], "bogus": 1}},
                {"id": "a", "action": "teleport"},
                {"id": "b c", "action": "transform", "config": {"set": {}}},
                {"id": "d", "action": "switch", "config": {"value": "${steps.nowhere.output >= }"},
                 "next": [{"status": "MAYBE", "stepId": "ghost"}, {"stop": true, "stepId": "a"}, {}]},
                {"id": "e", "action": "wait", "config": {}},
                {"id": "f", "action": "await", "config": {"signal": "not allowed!"}},
                {"id": "g", "action": "fail", "config": {}}
              ],
              "inputSchema": {"type": "object", "oneOf": []},
              "variables": {"1bad": {"type": "integer"}},
              "timeoutPolicy": "SOMETIMES",
              "retry": {}
            }
            """)
        let pointers = Set(errors.map(\.property))
        for expected in [
            "/name", "/tags/1", "/colour", "/retry", "/timeoutPolicy", "/steps/0/config/method", "/steps/0/config/timeoutSeconds",
            "/steps/0/config/okStatus", "/steps/0/config/bogus", "/steps/0/config/url", "/steps/1/id", "/steps/1/action",
            "/steps/2/id", "/steps/2/config/set", "/steps/3/config/value", "/steps/3/next/0/status", "/steps/3/next/1",
            "/steps/3/next/2", "/steps/4/config", "/steps/5/config/signal", "/steps/6/config/reason", "/inputSchema/oneOf",
            "/variables/1bad",
        ] {
            #expect(pointers.contains(expected), "missing \(expected) in \(errors)")
        }
        #expect(errors.first { $0.property == "/steps/1/id" }?.message == "duplicates the id of the step at /steps/0")
        #expect(errors.first { $0.property == "/steps/3/config/value" }?.message.contains("column") == true)
    }

    @Test func danglingAndCrossFlowJumpsAndUnknownStepReferences() throws {
        let errors = try problems(
            """
            {"name": "x",
             "steps": [{"id": "a", "action": "transform", "config": {"set": {"v": "${steps.b.output}"}},
                        "next": [{"status": "OK", "stepId": "ghost"}, {"status": "KO", "stepId": "r"}]}],
             "rescue": [{"id": "r", "action": "transform", "config": {"set": {"x": 1}}, "next": [{"stepId": "a"}]}]}
            """)
        let byPointer = Dictionary(errors.map { ($0.property, $0.message) }, uniquingKeysWith: { a, _ in a })
        #expect(byPointer["/steps/0/next/0/stepId"] == "names no step of this definition: 'ghost'")
        #expect(byPointer["/steps/0/next/1/stepId"] == "must name a step of the main flow; 'r' is a rescue step")
        #expect(byPointer["/rescue/0/next/0/stepId"] == "must name a rescue step; 'a' is in the main flow")
        #expect(byPointer["/steps/0/config/set/v"] == "${steps.b.output} at column 8: no step has the id 'b'")
    }

    @Test func findsUnreachableSteps() throws {
        let afterFail = try problems(
            #"{"name": "x", "steps": [{"id": "a", "action": "fail", "config": {"reason": "no"}}, {"id": "b", "action": "complete"}]}"#)
        #expect(afterFail.map(\.property) == ["/steps/1"])
        #expect(afterFail.first?.message.contains("unreachable") == true)

        let afterUnconditionalJump = try problems(
            """
            {"name": "x", "steps": [
              {"id": "a", "action": "transform", "config": {"set": {"v": 1}}, "next": [{"stepId": "c"}]},
              {"id": "b", "action": "transform", "config": {"set": {"v": 2}}},
              {"id": "c", "action": "complete"}]}
            """)
        #expect(afterUnconditionalJump.map(\.property) == ["/steps/1"])

        // A conditional rule keeps the following step reachable; a jump makes its target reachable;
        // rescue steps are reachable from any main step; loops are fine.
        _ = try definition(
            """
            {"name": "x", "steps": [
              {"id": "a", "action": "transform", "config": {"set": {"v": 1}}, "next": [{"status": "KO", "stepId": "c"}]},
              {"id": "b", "action": "transform", "config": {"set": {"v": 2}}, "next": [{"when": "${state.v < 3}", "stepId": "a"}]},
              {"id": "c", "action": "complete"}],
             "rescue": [{"id": "r", "action": "transform", "config": {"set": {"v": 0}}}]}
            """)
    }

    @Test func aRateLimitNeedsItsLimit() throws {
        for limit in ["", #", "concurrentExecLimit": null"#] {
            let errors = try problems(
                #"{"name": "x", "rateLimit": {"key": "${case.id}"\#(limit)}, "steps": [{"id": "a", "action": "complete"}]}"#)
            #expect(errors.map(\.property) == ["/rateLimit/concurrentExecLimit"])
        }
    }

    @Test func structuralLimits() throws {
        #expect(try problems(#"{"name": "x", "steps": []}"#).map(\.property) == ["/steps"])
        #expect(try problems(#"{"name": "x"}"#).map(\.property) == ["/steps"])
        #expect(try problems(#"[1]"#).map(\.property) == [""])
        #expect(try problems(#"{"name": "x", "enforceSchema": true, "steps": [{"id": "a", "action": "complete"}]}"#).map(\.property) == ["/enforceSchema"])
        var nested = #"{"id": "leaf", "action": "complete"}"#
        for level in 0..<20 {
            nested = #"{"id": "s\#(level)", "action": "transform", "config": {"set": {"v": 1}}, "next": [{"steps": [\#(nested)]}]}"#
        }
        let deep = try problems(#"{"name": "x", "steps": [\#(nested)]}"#)
        #expect(deep.contains { $0.message.contains("deeper than 16") })
    }

    @Test func numericConfigMayBeComputedByOneExpression() throws {
        _ = try definition(
            """
            {"name": "computed", "variables": {"t": {"type": "integer", "default": 5}, "ok": {"type": "array", "default": [200]}},
             "steps": [
              {"id": "h", "action": "http.request", "config": {"url": "https://x.example", "timeoutSeconds": "${params.t}", "okStatus": "${params.ok}"}},
              {"id": "w", "action": "wait", "config": {"seconds": "${params.t * 60}"}},
              {"id": "aw", "action": "await", "config": {"signal": "review", "timeoutSeconds": "${coalesce(params.t, 86400)}"}},
              {"id": "c", "action": "workflow.run", "config": {"workflowDefinitionId": "child", "version": "${params.t}"}}]}
            """)
        let errors = try problems(
            """
            {"name": "computed", "steps": [
              {"id": "h", "action": "http.request", "config": {"url": "https://x.example", "timeoutSeconds": "${1}s", "okStatus": "200"}},
              {"id": "w", "action": "wait", "config": {"seconds": "soon"}}]}
            """)
        #expect(
            errors == [
                FieldError(property: "/steps/0/config/timeoutSeconds", message: "must be a number of seconds from 0.001 to 300, or exactly one ${...} expression that computes one"),
                FieldError(property: "/steps/0/config/okStatus", message: "must be an HTTP status (100–599) or a non-empty array of them, or exactly one ${...} expression that computes one"),
                FieldError(property: "/steps/1/config/seconds", message: "must be a number of seconds from 0 to 31622400, or exactly one ${...} expression that computes one"),
            ])
    }

    @Test func computedNumbersAreCheckedWithTheSameRulesWhenTheStepRuns() {
        #expect(ComputedNumber.problems(.httpRequest, resolved: ["timeoutSeconds": 20, "okStatus": [200, 201]]).isEmpty)
        #expect(ComputedNumber.problems(.httpRequest, resolved: ["timeoutSeconds": "abc"]) == ["timeoutSeconds must be a number of seconds from 0.001 to 300, got \"abc\""])
        #expect(ComputedNumber.problems(.httpRequest, resolved: ["okStatus": [99]]) == ["okStatus must be an HTTP status (100–599) or a non-empty array of them, got [99]"])
        #expect(ComputedNumber.problems(.wait, resolved: ["seconds": -1]) == ["seconds must be a number of seconds from 0 to 31622400, got -1"])
        #expect(ComputedNumber.problems(.workflowRun, resolved: ["version": 0]) == ["version must be an integer from 1 to 2147483647, got 0"])
        #expect(ComputedNumber.problems(.await, resolved: ["timeoutSeconds": .null]).isEmpty)
    }

    @Test func everyActionAcceptsItsDocumentedConfig() throws {
        _ = try definition(
            """
            {"name": "all actions", "steps": [
              {"id": "h", "action": "http.request", "config": {"method": "${input.method}", "url": "https://x.example/${case.id}",
                "headers": {"A": "b"}, "query": {"q": "1"}, "body": [1, "${state}"], "timeoutSeconds": 5, "okStatus": 204}},
              {"id": "t", "action": "transform", "config": {"set": {"a": "${steps.h.output.status}", "b": [1]}}},
              {"id": "s", "action": "switch", "config": {"value": "${state.a}"}},
              {"id": "w1", "action": "wait", "config": {"seconds": 1.5}},
              {"id": "w2", "action": "wait", "config": {"until": "${input.at}"}},
              {"id": "aw", "action": "await", "config": {"signal": "review.v2"}},
              {"id": "c", "action": "workflow.run", "config": {"workflowDefinitionId": "child", "version": 2, "input": {"x": 1}, "parametersId": "${input.p}"}},
              {"id": "done", "action": "complete", "config": {"result": {"ok": true}}}]}
            """)
    }
}
