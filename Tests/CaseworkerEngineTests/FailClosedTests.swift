import AsyncHTTPClient
import CaseworkerCore
import CaseworkerEngine
import CaseworkerOutbound
import CaseworkerStore
import CaseworkerTestSupport
import Foundation
import Logging
import Testing

/// Workflows fail closed (issue 25): a null condition ends the step KO `expression_error`
/// instead of taking a branch, numeric config may come from templates, and transport errors read
/// plainly. The provider (`$BASE/verify`) answers `{"score": 72}`: no `sanctionsHit`.
@Suite struct FailClosedTests {
    func definition(_ steps: String, variables: String = "{}") -> String {
        #"{"name": "d", "variables": \#(variables), "steps": [{"id": "verify", "action": "http.request", "config": {"method": "POST", "url": "$BASE/verify"}}, \#(steps)]}"#
    }

    @Test func aNullConditionEndsTheStepKOInsteadOfApproving() async throws {
        try await EngineHarness.with { h in
            try await h.publish(
                "d",
                definition(
                    #"{"id": "decide", "action": "transform", "config": {"set": {"decision": "${steps.verify.output.body.sanctionsHit ? 'reject' : 'approve'}"}}}"#
                ))
            let done = try await h.finished(try await h.start("d").id)
            #expect(done.status == .failed)
            #expect(done.error?.code == "expression_error")
            #expect(done.error?.stepId == "decide")
            #expect(done.error?.message.contains("the condition of '?:' needs a boolean, but steps.verify.output.body.sanctionsHit is null") == true)
            #expect(done.state["decision"] == nil)
            let task = try #require(try await h.tasks(done.id).last)
            #expect(task.outcome == StepOutcome(.ko, code: "expression_error"))
        }
    }

    @Test func coalesceStatesTheDefault() async throws {
        try await EngineHarness.with { h in
            try await h.publish(
                "d",
                definition(
                    #"{"id": "decide", "action": "complete", "config": {"result": "${coalesce(steps.verify.output.body.sanctionsHit, true) ? 'reject' : 'approve'}"}}"#
                ))
            let done = try await h.finished(try await h.start("d").id)
            #expect(done.status == .completed)
            #expect(done.result == "reject")
        }
    }

    @Test func aNullWhenIsAnExpressionErrorThatRulesCanRoute() async throws {
        try await EngineHarness.with { h in
            // The first rule's `when` is null: the outcome becomes KO expression_error, and the
            // rules are matched again for it.
            let steps = """
                {"id": "approve", "action": "complete", "config": {"result": "approve"}},
                {"id": "review", "action": "complete", "config": {"result": "review"}}
                """
            let json = #"{"name": "d", "steps": [{"id": "verify", "action": "http.request", "config": {"method": "POST", "url": "$BASE/verify"}, "next": [{"when": "${!steps.verify.output.body.sanctionsHit}", "stepId": "approve"}, {"status": "KO", "code": "expression_error", "stepId": "review"}]}, \#(steps)]}"#
            try await h.publish("d", json)
            let done = try await h.finished(try await h.start("d").id)
            #expect(done.result == "review")
            let verify = try #require(try await h.tasks(done.id).first)
            #expect(verify.outcome == StepOutcome(.ko, code: "expression_error"))
            #expect(verify.error?.contains("'!' needs a boolean, but steps.verify.output.body.sanctionsHit is null") == true)
        }
    }

    @Test func aSwitchOnNullDecidesNothing() async throws {
        try await EngineHarness.with { h in
            try await h.publish(
                "d",
                definition(
                    """
                    {"id": "route", "action": "switch", "config": {"value": "${steps.verify.output.body.level}"},
                     "next": [{"code": "null", "stepId": "approve"}]},
                    {"id": "approve", "action": "complete", "config": {"result": "approve"}}
                    """))
            let done = try await h.finished(try await h.start("d").id)
            #expect(done.status == .failed)
            #expect(done.error?.code == "expression_error")
            #expect(done.error?.message.contains("the switch value steps.verify.output.body.level is null") == true)
        }
    }

    @Test func aTimeoutMayComeFromAParameter() async throws {
        try await EngineHarness.with { h in
            try await h.publish(
                "slow",
                """
                {"name": "slow", "variables": {"t": {"type": "number", "default": 0.3}},
                 "steps": [{"id": "call", "action": "http.request", "config": {"url": "$BASE/slow", "timeoutSeconds": "${params.t}"},
                            "retry": {"maxAttempts": 1}}]}
                """)
            let done = try await h.finished(try await h.start("slow").id)
            #expect(done.status == .timedOut)
            #expect(done.error?.message == "timed out after 0.3 s")
            let wrong = try await h.finished(try await h.start("slow", values: ["t": 900]).id)
            #expect(wrong.status == .failed)
            #expect(wrong.error?.code == "invalid_config")
            #expect(wrong.error?.message == "the computed config is invalid: timeoutSeconds must be a number of seconds from 0.001 to 300, got 900")
        }
    }

    @Test func aWaitMayComeFromAParameter() async throws {
        try await EngineHarness.with(clock: ManualClock()) { h in
            try await h.publish(
                "w",
                """
                {"name": "w", "variables": {"minutes": {"type": "integer", "default": 5}},
                 "steps": [{"id": "pause", "action": "wait", "config": {"seconds": "${params.minutes * 60}"}},
                           {"id": "done", "action": "complete"}]}
                """)
            let run = try await h.start("w")
            let waiting = try await h.waitForRun(run.id) { $0.status == .waiting }
            #expect(waiting.wait?.until == h.clock.now.addingTimeInterval(300))
        }
    }

    @Test func aClosedPortReadsConnectionRefused() async throws {
        try await EngineHarness.with { h in
            try await h.publish(
                "d",
                #"{"name": "d", "steps": [{"id": "call", "action": "http.request", "config": {"url": "http://127.0.0.1:1/x"}, "retry": {"maxAttempts": 1}}]}"#)
            let done = try await h.finished(try await h.start("d").id)
            #expect(done.error?.code == "connection_error")
            #expect(done.error?.message == "connection refused")
        }
    }

    /// Through the SSRF guard proxy, as the daemon runs steps: a closed port answered
    /// `ConnectionFailed(reply: NIOSOCKS.SOCKSServerReply(value: 5))` before.
    @Test func throughTheGuardErrorsReadAsInTheWebhookAttemptLog() async throws {
        var logger = Logger(label: "guard")
        logger.logLevel = .critical
        let open = Reloadable(AddressPolicy(allowedNetworks: [CIDR("127.0.0.0/8")!]))
        let closed = Reloadable(AddressPolicy())
        for policy in [open, closed] {
            let proxy = try await SSRFGuardProxy.start(policy: policy, connectTimeout: .seconds(2), logger: logger)
            let client = HTTPRequestAction.makeClient(socksProxyPort: proxy.port)
            func run(_ action: HTTPRequestAction) async throws -> ActionResult {
                try await action.execute(
                    ActionInput(runId: "r", stepId: "s", attempt: 1, config: ["url": "http://127.0.0.1:1/x"], stepTimeout: nil))
            }
            let plain = try await run(HTTPRequestAction(client: client))
            let prechecked = try await run(HTTPRequestAction(client: client, addressPolicy: policy))
            try await client.shutdown()
            try await proxy.close()
            if policy === open {
                #expect(plain == .ko("connection_error", "connection refused", retryable: true))
                #expect(prechecked == .ko("connection_error", "connection refused", retryable: true))
            } else {
                #expect(plain == .ko("destination_refused", "destination refused by the SSRF guard (engine.httpAllowedNetworks opens networks)"))
                #expect(
                    prechecked
                        == .ko(
                            "destination_refused",
                            "destination refused by the SSRF guard: 127.0.0.1 is loopback (127.0.0.0/8) (engine.httpAllowedNetworks opens networks)"))
            }
        }
    }

    @Test func transportFailuresNeverNameInternalTypes() {
        #expect(TransportFailure.describing(HTTPClientError.remoteConnectionClosed, timeout: .seconds(15)).message == "the server closed the connection before a complete response")
        #expect(TransportFailure.describing(HTTPClientError.readTimeout, timeout: .seconds(10)).message == "timed out after 10 s")
        #expect(TransportFailure.describing(HTTPClientError.invalidURL, timeout: .seconds(10)).message == "invalid URL")
        struct Opaque: Error {}
        #expect(TransportFailure.describing(Opaque(), timeout: .seconds(10)).message == "transport failure")
        let tls = TransportFailure.describing(
            NSError(domain: "x", code: 1, userInfo: [NSLocalizedDescriptionKey: "handshakeFailed(sslError([Error: 268435581 error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at ssl.cc:1]))"]),
            timeout: .seconds(10))
        #expect(tls.kind == .tls)
        #expect(tls.message == "TLS: certificate verify failed")
    }
}
