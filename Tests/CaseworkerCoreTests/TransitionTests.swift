import CaseworkerCore
import Foundation
import Testing

/// The transition function, against an oracle written independently of it.
@Suite struct TransitionTests {
    /// `when` templates evaluate to these by their source text.
    static func evaluate(_ template: Template) throws(ExpressionError) -> JSONValue {
        switch template.source {
        case "${true}": return true
        case "${false}": return false
        case "${null}": return .null
        case "${1}": return 1
        default: throw ExpressionError(source: template.source, column: 3, reason: "boom")
        }
    }

    static let statuses: [StepOutcome.Status?] = [nil, .ok, .ko, .skip, .timeout]
    static let codes: [String?] = [nil, "a"]
    static let whens: [String?] = [nil, "${true}", "${false}", "${null}", "${1}", "${1 / 0}"]
    static let outcomes: [StepOutcome] = StepOutcome.Status.allCases.flatMap { status in
        [StepOutcome(status), StepOutcome(status, code: "a"), StepOutcome(status, code: "b")]
    }

    /// Builds: steps [a (with one rule → "target"), b, target], rescue [r] (or none).
    func definitionWithRule(status: StepOutcome.Status?, code: String?, when: String?, rescue: Bool) throws -> WorkflowDefinition {
        var rule: [String: JSONValue] = ["stepId": "target"]
        if let status { rule["status"] = .string(status.rawValue) }
        if let code { rule["code"] = .string(code) }
        if let when { rule["when"] = .string(when) }
        var body: [String: JSONValue] = [
            "name": "matrix",
            "steps": [
                ["id": "a", "action": "transform", "config": ["set": ["x": 1]], "next": [.object(rule)]],
                ["id": "b", "action": "transform", "config": ["set": ["x": 2]]],
                // (The SKIP jump keeps `b` reachable when a's rule is unconditional.)
                ["id": "target", "action": "transform", "config": ["set": ["x": 3]], "next": [["status": "SKIP", "stepId": "b"]]],
            ],
        ]
        if rescue { body["rescue"] = [["id": "r", "action": "transform", "config": ["set": ["x": 4]]]] }
        return try WorkflowDefinition(parsing: .object(body))
    }

    /// The oracle: what SPEC 2.4 says should happen, written as plainly as possible.
    func expected(
        status: StepOutcome.Status?, code: String?, when: String?, rescue: Bool, outcome: StepOutcome
    ) -> (StepOutcome, Transition) {
        func ruleMatches(_ outcome: StepOutcome, errorsMatch: Bool?) -> Bool? {
            if let status, status != outcome.status { return false }
            if let code, code != outcome.code { return false }
            switch when {
            case nil, "${true}": return true
            case "${false}": return false
            default: return errorsMatch  // `${null}` too: null never decides
            }
        }
        func fallback(_ outcome: StepOutcome) -> Transition {
            switch outcome.status {
            case .ok, .skip: return .step(FlowPosition(stepId: "b", mode: .main))
            case .ko: return rescue ? .step(FlowPosition(stepId: "r", mode: .rescue(.failed))) : .end(.failed)
            case .timeout: return rescue ? .step(FlowPosition(stepId: "r", mode: .rescue(.timedOut))) : .end(.timedOut)
            }
        }
        let jump = Transition.step(FlowPosition(stepId: "target", mode: .main))
        switch ruleMatches(outcome, errorsMatch: nil) {
        case true?: return (outcome, jump)
        case false?: return (outcome, fallback(outcome))
        case nil:
            let rewritten = StepOutcome(.ko, code: "expression_error")
            return (rewritten, ruleMatches(rewritten, errorsMatch: false) == true ? jump : fallback(rewritten))
        }
    }

    @Test func everyStatusCodeAndWhenCombination() throws {
        var checked = 0
        for status in Self.statuses {
            for code in Self.codes {
                for when in Self.whens {
                    for rescue in [false, true] {
                        let parsed = try definitionWithRule(status: status, code: code, when: when, rescue: rescue)
                        for outcome in Self.outcomes {
                            let decision = parsed.transition(
                                after: FlowPosition(stepId: "a", mode: .main), outcome: outcome, evaluate: Self.evaluate)
                            let (expectedOutcome, expectedTransition) = expected(
                                status: status, code: code, when: when, rescue: rescue, outcome: outcome)
                            #expect(
                                decision.outcome == expectedOutcome && decision.transition == expectedTransition,
                                "rule(status: \(String(describing: status)), code: \(String(describing: code)), when: \(String(describing: when))) rescue: \(rescue), outcome \(outcome)"
                            )
                            let shouldFail = (when == "${1}" || when == "${1 / 0}" || when == "${null}")
                            if !shouldFail { #expect(decision.whenError == nil) }
                            checked += 1
                        }
                    }
                }
            }
        }
        #expect(checked == 5 * 2 * 6 * 2 * 12)
    }

    @Test func theFirstMatchingRuleWins() throws {
        let parsed = try definition(
            """
            {"name": "x", "steps": [
              {"id": "s", "action": "switch", "config": {"value": "${input.v}"},
               "next": [{"code": "x", "stepId": "one"}, {"code": "x", "stepId": "two"}, {"status": "OK", "stepId": "three"}]},
              {"id": "one", "action": "complete"}, {"id": "two", "action": "complete"}, {"id": "three", "action": "complete"}]}
            """)
        let at = FlowPosition(stepId: "s", mode: .main)
        #expect(parsed.transition(after: at, outcome: StepOutcome(.ok, code: "x"), evaluate: Self.evaluate).transition == .step(.init(stepId: "one", mode: .main)))
        #expect(parsed.transition(after: at, outcome: StepOutcome(.ok, code: "y"), evaluate: Self.evaluate).transition == .step(.init(stepId: "three", mode: .main)))
    }

    @Test func inlineBranchesContinueAfterTheirOwnerAtEveryDepth() throws {
        let parsed = try definition(
            """
            {"name": "x", "steps": [
              {"id": "a", "action": "transform", "config": {"set": {"v": 1}}, "next": [{"status": "OK", "steps": [
                {"id": "a1", "action": "transform", "config": {"set": {"v": 2}}, "next": [{"status": "OK", "steps": [
                  {"id": "a1x", "action": "transform", "config": {"set": {"v": 3}}}]}]},
                {"id": "a2", "action": "transform", "config": {"set": {"v": 4}}}]}]},
              {"id": "b", "action": "transform", "config": {"set": {"v": 5}}}]}
            """)
        func next(_ id: String, _ outcome: StepOutcome = .ok) -> Transition {
            parsed.transition(after: FlowPosition(stepId: id, mode: .main), outcome: outcome, evaluate: Self.evaluate).transition
        }
        #expect(next("a") == .step(.init(stepId: "a1", mode: .main)))
        #expect(next("a1") == .step(.init(stepId: "a1x", mode: .main)))
        #expect(next("a1x") == .step(.init(stepId: "a2", mode: .main)))
        #expect(next("a2") == .step(.init(stepId: "b", mode: .main)))
        #expect(next("b") == .complete)
        #expect(next("a", StepOutcome(.skip)) == .step(.init(stepId: "b", mode: .main)))
        #expect(next("a1x", StepOutcome(.ko)) == .end(.failed))
    }

    @Test func loopsJumpBackAndStopCompletes() throws {
        let parsed = try definition(
            """
            {"name": "x", "steps": [
              {"id": "poll", "action": "http.request", "config": {"url": "https://x.example"},
               "next": [{"status": "OK", "when": "${false}", "stepId": "poll"}, {"status": "KO", "code": "404", "stop": true}]},
              {"id": "after", "action": "complete"}]}
            """)
        let at = FlowPosition(stepId: "poll", mode: .main)
        #expect(parsed.transition(after: at, outcome: .ok, evaluate: { _ throws(ExpressionError) in true }).transition == .step(at))
        #expect(parsed.transition(after: at, outcome: StepOutcome(.ko, code: "404"), evaluate: Self.evaluate).transition == .complete)
        #expect(parsed.transition(after: at, outcome: StepOutcome(.ko, code: "500"), evaluate: Self.evaluate).transition == .end(.failed))
    }

    @Test func rescueRunsOnceAndEndsWithTheOriginalFailure() throws {
        let parsed = try definition(
            """
            {"name": "x", "steps": [{"id": "a", "action": "http.request", "config": {"url": "https://x.example"}}],
             "rescue": [
               {"id": "r1", "action": "http.request", "config": {"url": "https://x.example/undo"},
                "next": [{"status": "OK", "code": "skip-rest", "stop": true}, {"status": "SKIP", "stepId": "r1"}]},
               {"id": "r2", "action": "transform", "config": {"set": {"undone": true}}}]}
            """)
        let main = FlowPosition(stepId: "a", mode: .main)
        let timedOut = parsed.transition(after: main, outcome: StepOutcome(.timeout), evaluate: Self.evaluate).transition
        #expect(timedOut == .step(.init(stepId: "r1", mode: .rescue(.timedOut))))
        let r1 = FlowPosition(stepId: "r1", mode: .rescue(.timedOut))
        #expect(parsed.transition(after: r1, outcome: .ok, evaluate: Self.evaluate).transition == .step(.init(stepId: "r2", mode: .rescue(.timedOut))))
        #expect(parsed.transition(after: r1, outcome: StepOutcome(.ok, code: "skip-rest"), evaluate: Self.evaluate).transition == .end(.timedOut))
        #expect(parsed.transition(after: r1, outcome: StepOutcome(.ko), evaluate: Self.evaluate).transition == .end(.timedOut))
        #expect(parsed.transition(after: r1, outcome: StepOutcome(.skip), evaluate: Self.evaluate).transition == .step(r1))
        let r2 = FlowPosition(stepId: "r2", mode: .rescue(.failed))
        #expect(parsed.transition(after: r2, outcome: .ok, evaluate: Self.evaluate).transition == .end(.failed))
    }

    @Test func retryDelaysFollowThePolicy() {
        var random = SystemRandomNumberGenerator()
        let fixed = RetryPolicy(maxAttempts: 3, backoff: .fixed, initialDelaySeconds: 2, jitter: false)
        #expect(fixed.delay(afterAttempt: 1, random: &random) == 2)
        #expect(fixed.delay(afterAttempt: 2, random: &random) == 2)
        #expect(fixed.delay(afterAttempt: 3, random: &random) == nil)
        let exponential = RetryPolicy(maxAttempts: 10, backoff: .exponential, initialDelaySeconds: 1, maxDelaySeconds: 20, jitter: false)
        #expect((1...9).map { exponential.delay(afterAttempt: $0, random: &random)! } == [1, 2, 4, 8, 16, 20, 20, 20, 20])
        let jittered = RetryPolicy(maxAttempts: 100, initialDelaySeconds: 10, maxDelaySeconds: 10)
        for attempt in 1..<100 {
            let delay = jittered.delay(afterAttempt: attempt, random: &random)!
            #expect((8...12).contains(delay))
        }
    }
}
