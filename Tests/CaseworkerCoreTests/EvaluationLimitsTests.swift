import Foundation
import Testing

@testable import CaseworkerCore

/// The bounds of evaluation (`ValueLimits`): linear string search, the work budget, and results
/// that can never be larger or deeper than what the daemon stores and reads back.
@Suite struct EvaluationLimitsTests {
    func context(_ variables: [String: JSONValue], limits: ValueLimits = .default) -> EvaluationContext {
        EvaluationContext(variables: variables, now: fixedNow, limits: limits)
    }

    func error(_ source: String, _ variables: [String: JSONValue], limits: ValueLimits = .default) -> ExpressionError? {
        do throws(ExpressionError) {
            _ = try Template(parsing: source).evaluate(in: context(variables, limits: limits))
            return nil
        } catch {
            return error
        }
    }

    @Test func substringSearchIsLinearAndAgreesWithTheNaiveOne() throws {
        // The quadratic case of a naive search: a haystack of `a`s and a needle of `a`s ending in `b`.
        let haystack = String(repeating: "a", count: 40_000)
        let needle = String(repeating: "a", count: 20_000) + "b"
        let variables: [String: JSONValue] = ["input": ["h": .string(haystack), "n": .string(needle)]]
        #expect(try Expression(parsing: "contains(input.h, input.n)").evaluate(in: context(variables)) == false)
        #expect(try Expression(parsing: "input.n in input.h").evaluate(in: context(variables)) == false)
        #expect(try Expression(parsing: "contains(input.h + 'b', input.n)").evaluate(in: context(variables)) == true)
        // Characters, not bytes: a combining sequence is one character.
        for (text, part, expected) in [
            ("abcabd", "abd", true), ("aabaabaaa", "abaaa", true), ("café", "e", false), ("cafe\u{301}", "é", true),
            ("", "", true), ("x", "", true), ("", "x", false), ("abab", "abab", true), ("abab", "ababa", false),
        ] {
            #expect(ValueComparison.contains(text, substring: part) == expected, "\(text) / \(part)")
        }
    }

    @Test func theBudgetEndsALongEvaluationWithItsOwnCode() throws {
        let big = String(repeating: "x", count: 200_000)
        let source = "${contains(input.s, 'y') || contains(input.s, 'y') || contains(input.s, 'y') || contains(input.s, 'y') || contains(input.s, 'y') || contains(input.s, 'y')}"
        let failure = try #require(error(source, ["input": ["s": .string(big)]]))
        #expect(failure.kind == .budgetExceeded)
        #expect(failure.code == "expression_budget_exceeded")
        #expect(failure.reason.contains("limits.evaluationBudget"))
        // Within a larger budget the same evaluation answers.
        #expect(error(source, ["input": ["s": .string(big)]], limits: ValueLimits(evaluationBudget: 10_000_000)) == nil)
    }

    @Test func interpolationCannotAmplifyAValuePastTheSizeLimit() throws {
        let piece = String(repeating: "z", count: 100_000)
        let source = String(repeating: "${input.s}", count: 1000)
        let failure = try #require(error(source, ["input": ["s": .string(piece)]]))
        #expect(failure.code == "value_too_large")
        // Concatenation and arrays are checked before they are built.
        #expect(error("${input.s + input.s}", ["input": ["s": .string(piece)]], limits: ValueLimits(maxBytes: 150_000))?.code == "value_too_large")
        #expect(
            error("${[input.s, input.s, input.s]}", ["input": ["s": .string(piece)]], limits: ValueLimits(maxBytes: 250_000))?.code
                == "value_too_large")
        #expect(error("${input.s + input.s}", ["input": ["s": .string(piece)]]) == nil)
    }

    @Test func wrappingADeepValuePastTheDepthLimitIsRefused() throws {
        var deep: JSONValue = 1
        for _ in 0..<120 { deep = [deep] }
        let failure = try #require(error("${[[[[[[[[[[input.x]]]]]]]]]]}", ["input": ["x": deep]]))
        #expect(failure.code == "value_too_deep")
        #expect(failure.reason.contains("128"))
        #expect(error("${[[[input.x]]]}", ["input": ["x": deep]]) == nil)
    }

    @Test func valueLimitsMeasureDepthAndSize() {
        let limits = ValueLimits(maxDepth: 2, maxBytes: 20)
        #expect(limits.violation(of: [[1]]) == nil)
        #expect(limits.violation(of: [[[1]]]) == .tooDeep(limit: 2))
        #expect(limits.violation(of: .string(String(repeating: "a", count: 18))) == nil)
        #expect(limits.violation(of: .string(String(repeating: "a", count: 19))) == .tooLarge(limit: 20))
        #expect(limits.violation(of: ["k": 12345]) == nil)
        #expect(ValueLimits.size(of: ["a", 100, true, nil], upTo: .max).bytes == JSONText.encode(["a", 100, true, nil]).utf8.count)
    }
}
