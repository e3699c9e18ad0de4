import CaseworkerCore
import CaseworkerEngine
import CaseworkerStore
import CaseworkerTestSupport
import Foundation
import Testing

@Suite struct HTTPRequestActionTests {
    static let kyc = """
        {"name": "kyc", "variables": {"threshold": {"type": "integer", "default": 50}},
         "steps": [
           {"id": "verify", "action": "http.request",
            "config": {"method": "POST", "url": "$BASE/verify", "body": {"name": "${case.firstName}"},
                       "headers": {"Authorization": "Bearer secret-token", "X-Trace": "t1"}},
            "next": [{"status": "OK", "when": "${steps.verify.output.body.score >= params.threshold}", "stepId": "approve"}]},
           {"id": "refer", "action": "complete", "config": {"result": {"decision": "refer"}}},
           {"id": "approve", "action": "complete",
            "config": {"result": {"decision": "approve", "score": "${steps.verify.output.body.score}"}}}]}
        """

    @Test func aSuccessfulCallDecidesTheBranchAndCarriesTheIdempotencyKey() async throws {
        try await EngineHarness.with { h in
            try await h.publish("kyc", Self.kyc)
            let run = try await h.start("kyc")
            let done = try await h.finished(run.id)
            #expect(done.status == .completed)
            #expect(done.result == ["decision": "approve", "score": 72])
            #expect(h.received.all.map(\.idempotencyKey) == ["\(run.id):verify:1"])
            #expect(h.received.all.first?.body == #"{"name":"Ada"}"#)
            let tasks = try await h.tasks(run.id)
            #expect(tasks.map(\.stepId) == ["verify", "approve"])
            #expect(tasks[0].output["status"] == 200)
            #expect(tasks[0].output["body"]?["score"] == 72)
            #expect(tasks[0].parameters["headers"]?["Authorization"] == "***", "secrets are masked in the timeline")
            #expect(tasks[0].parameters["headers"]?["X-Trace"] == "t1")
        }
    }

    @Test func theThresholdParameterChoosesTheOtherBranch() async throws {
        try await EngineHarness.with { h in
            try await h.publish("kyc", Self.kyc)
            let run = try await h.start("kyc", values: ["threshold": 90])
            #expect(try await h.finished(run.id).result == ["decision": "refer"])
        }
    }

    @Test func aClientErrorFailsAtOnceWithTheStatusAsCode() async throws {
        try await EngineHarness.with { h in
            try await h.publish(
                "d", #"{"name": "d", "steps": [{"id": "call", "action": "http.request", "config": {"url": "$BASE/not-found"}}]}"#)
            let run = try await h.start("d")
            let done = try await h.finished(run.id)
            #expect(done.status == .failed)
            #expect(done.error?.code == "404")
            #expect(done.error?.stepId == "call")
            #expect(try await h.tasks(run.id).count == 1, "a 4xx is not retried")
        }
    }

    @Test func serverErrorsAreRetriedWithANewAttemptNumberEachTime() async throws {
        try await EngineHarness.with { h in
            try await h.publish(
                "d",
                """
                {"name": "d", "steps": [{"id": "call", "action": "http.request", "config": {"url": "$BASE/fail"},
                  "retry": {"maxAttempts": 3, "backoff": "fixed", "initialDelaySeconds": 0, "jitter": false}}]}
                """)
            let run = try await h.start("d")
            let done = try await h.finished(run.id)
            #expect(done.status == .failed)
            #expect(done.error?.code == "500")
            let tasks = try await h.tasks(run.id)
            #expect(tasks.map(\.attempt) == [1, 2, 3])
            #expect(h.received.all.map(\.idempotencyKey) == [1, 2, 3].map { "\(run.id):call:\($0)" })
        }
    }

    @Test func aRefusedConnectionIsConnectionError() async throws {
        try await EngineHarness.with { h in
            try await h.publish(
                "d",
                #"{"name": "d", "steps": [{"id": "call", "action": "http.request", "config": {"url": "http://127.0.0.1:1/x"}, "retry": {"maxAttempts": 1}}]}"#)
            let done = try await h.finished(try await h.start("d").id)
            #expect(done.status == .failed)
            #expect(done.error?.code == "connection_error")
        }
    }

    @Test func aSlowResponseTimesOutTheRun() async throws {
        try await EngineHarness.with { h in
            try await h.publish(
                "d",
                """
                {"name": "d", "steps": [
                  {"id": "call", "action": "http.request", "config": {"url": "$BASE/slow", "timeoutSeconds": 0.3}, "retry": {"maxAttempts": 1}},
                  {"id": "never", "action": "complete"}]}
                """)
            let done = try await h.finished(try await h.start("d").id)
            #expect(done.status == .timedOut)
            #expect(done.error?.code == "timeout")
        }
    }

    @Test func theStepTimeoutBoundsAnyAction() async throws {
        try await EngineHarness.with { h in
            try await h.publish(
                "d",
                """
                {"name": "d", "steps": [
                  {"id": "call", "action": "http.request", "config": {"url": "$BASE/slow"}, "timeoutSeconds": 0.3,
                   "retry": {"maxAttempts": 1}, "next": [{"status": "TIMEOUT", "stepId": "fallback"}]},
                  {"id": "fallback", "action": "complete", "config": {"result": "fallback"}}]}
                """)
            let done = try await h.finished(try await h.start("d").id)
            #expect(done.status == .completed)
            #expect(done.result == "fallback")
            #expect(try await h.tasks(done.id).first?.outcome == StepOutcome(.timeout))
        }
    }

    @Test func aTextBodyIsKeptAsText() async throws {
        try await EngineHarness.with { h in
            try await h.publish("d", #"{"name": "d", "steps": [{"id": "call", "action": "http.request", "config": {"url": "$BASE/text"}}]}"#)
            let done = try await h.finished(try await h.start("d").id)
            #expect(done.status == .completed)
            #expect(done.result?["body"] == "plain words", "without output, the result is the last step's output")
        }
    }
}

@Suite struct RetryTimingTests {
    /// Backoff delays are durable `dueAt`s computed from the injected clock: nothing retries until
    /// the clock reaches them.
    @Test func retriesWaitForTheInjectedClock() async throws {
        let clock = ManualClock()
        try await EngineHarness.with(clock: clock) { h in
            h.received.flakyFailures.withLock { $0 = 2 }
            try await h.publish(
                "d",
                """
                {"name": "d", "steps": [{"id": "call", "action": "http.request", "config": {"url": "$BASE/flaky"},
                  "retry": {"maxAttempts": 3, "backoff": "exponential", "initialDelaySeconds": 10, "jitter": false}}]}
                """)
            let start = clock.now
            let run = try await h.start("d")
            let waiting = try await h.waitForRun(run.id) { $0.attempt == 2 }
            #expect(waiting.status == .running)
            #expect(waiting.dueAt == start.addingTimeInterval(10))
            #expect(h.received.count("/flaky") == 1)

            clock.advance(by: 10)
            h.store.signals.workAvailable.signal()
            let second = try await h.waitForRun(run.id) { $0.attempt == 3 }
            #expect(second.dueAt == start.addingTimeInterval(10 + 20), "exponential: the second delay doubles")
            #expect(h.received.count("/flaky") == 2)

            clock.advance(by: 20)
            h.store.signals.workAvailable.signal()
            let done = try await h.finished(run.id)
            #expect(done.status == .completed)
            #expect(try await h.tasks(run.id).map(\.outcome.status) == [.ko, .ko, .ok])
        }
    }
}

@Suite struct FlowTests {
    @Test func branchesOnCodesAndRecordsTheHierarchy() async throws {
        try await EngineHarness.with { h in
            try await h.publish(
                "d",
                """
                {"name": "d", "steps": [
                  {"id": "route", "action": "switch", "config": {"value": "${input.kind}"},
                   "next": [{"code": "person", "steps": [
                      {"id": "p1", "action": "transform", "config": {"set": {"path": "person"}}},
                      {"id": "p2", "action": "transform", "config": {"set": {"checked": true}}}]},
                    {"code": "company", "stepId": "company"}]},
                  {"id": "after", "action": "transform", "config": {"set": {"after": "${state.path}"}}},
                  {"id": "done", "action": "complete", "config": {"result": "${state}"}},
                  {"id": "company", "action": "complete", "config": {"result": "company"}}]}
                """)
            let person = try await h.finished(try await h.start("d", input: ["kind": "person"]).id)
            #expect(person.result == ["path": "person", "checked": true, "after": "person"])
            let tasks = try await h.tasks(person.id)
            #expect(tasks.map(\.stepId) == ["route", "p1", "p2", "after", "done"])
            #expect(tasks[1].parentTaskId == tasks[0].id)
            #expect(tasks[2].parentTaskId == tasks[0].id)
            #expect(tasks[3].parentTaskId == nil)

            let company = try await h.finished(try await h.start("d", input: ["kind": "company"]).id)
            #expect(company.result == "company")
            let unknown = try await h.finished(try await h.start("d", input: ["kind": "other"]).id)
            #expect(unknown.result == ["after": .null])
        }
    }

    @Test func rescueRunsThenTheRunFailsWithTheOriginalError() async throws {
        try await EngineHarness.with { h in
            try await h.publish(
                "d",
                """
                {"name": "d", "steps": [{"id": "pay", "action": "http.request", "config": {"url": "$BASE/not-found"}}],
                 "rescue": [{"id": "undo", "action": "transform", "config": {"set": {"undone": true}}}]}
                """)
            let done = try await h.finished(try await h.start("d").id)
            #expect(done.status == .failed)
            #expect(done.error == RunError(code: "404", message: "the response status 404 is not an OK status", stepId: "pay"))
            #expect(done.state["undone"] == true)
            #expect(try await h.tasks(done.id).map(\.stepId) == ["pay", "undo"])
        }
    }

    @Test func failEndsTheRunWithItsReasonAndCode() async throws {
        try await EngineHarness.with { h in
            try await h.publish(
                "d", #"{"name": "d", "steps": [{"id": "no", "action": "fail", "config": {"reason": "blocked for ${case.firstName}", "code": "blocked"}}]}"#)
            let done = try await h.finished(try await h.start("d").id)
            #expect(done.status == .failed)
            #expect(done.error == RunError(code: "blocked", message: "blocked for Ada", stepId: "no"))
        }
    }

    @Test func expressionErrorsAreKOAndTheOutputTemplateMakesTheResult() async throws {
        try await EngineHarness.with { h in
            try await h.publish(
                "bad", #"{"name": "d", "steps": [{"id": "t", "action": "transform", "config": {"set": {"x": "${1 / 0}"}}}]}"#)
            let bad = try await h.finished(try await h.start("bad").id)
            #expect(bad.status == .failed)
            #expect(bad.error?.code == "expression_error")

            try await h.publish(
                "good",
                #"{"name": "d", "output": {"who": "${case.firstName}", "n": "${state.n}", "run": "${run.correlationId}"}, "steps": [{"id": "t", "action": "transform", "config": {"set": {"n": 2}}}]}"#)
            let good = try await h.finished(try await h.start("good").id)
            #expect(good.result == ["who": "Ada", "n": 2, "run": "corr-1"])
        }
    }

    @Test func loopsAreBoundedByTheStepLimit() async throws {
        var configuration = EngineConfiguration()
        configuration.maxStepsPerRun = 5
        try await EngineHarness.with(configuration: configuration) { h in
            try await h.publish(
                "loop",
                #"{"name": "d", "steps": [{"id": "again", "action": "transform", "config": {"set": {"n": 1}}, "next": [{"stepId": "again"}]}]}"#)
            let done = try await h.finished(try await h.start("loop").id)
            #expect(done.status == .failed)
            #expect(done.error?.code == "step_limit_exceeded")
            #expect(try await h.tasks(done.id).count == 5)
        }
    }

    @Test func manyRunsRunConcurrentlyAndAllFinish() async throws {
        var configuration = EngineConfiguration()
        configuration.maxConcurrentRuns = 8
        try await EngineHarness.with(configuration: configuration) { h in
            try await h.publish("kyc", HTTPRequestActionTests.kyc)
            var ids: [String] = []
            for _ in 0..<50 { ids.append(try await h.start("kyc").id) }
            for id in ids {
                let done = try await h.finished(id)
                #expect(done.status == .completed)
            }
            #expect(h.received.count("/verify") == 50)
        }
    }
}
