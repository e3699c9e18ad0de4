import Foundation
import Testing

@testable import CaseworkerCore

/// Foundation also declares an `Expression` type; the tests mean the template language's.
typealias Expression = CaseworkerCore.Expression

/// 2026-11-22T11:24:26.123Z
let fixedNow = Date(timeIntervalSince1970: 1_795_346_666.123)
let fixedNowText = "2026-11-22T11:24:26.123Z"

/// A context shaped like the engine's, used by most tests.
let sampleVariables: [String: JSONValue] = [
    "case": [
        "name": "Ada", "tags": ["vip", "new"], "age": 36, "score": 0.75,
        "address": ["city": "Paris"], "empty": [:], "nothing": nil,
    ],
    "params": ["threshold": 50, "label": "x"],
    "input": ["items": [1, 2, 3], "matrix": [[1, 2], [3, 4]]],
    "state": ["count": 2],
    "steps": [
        "verify": ["output": ["body": ["score": 72]], "status": "OK", "code": 200, "attempt": 1],
        "send-mail": ["status": "KO"],
    ],
    "run": ["id": "r1", "createdAt": "2026-11-22T11:00:00.000Z", "correlationId": "c1"],
]

func sampleContext(_ variables: [String: JSONValue] = sampleVariables) -> EvaluationContext {
    EvaluationContext(variables: variables, now: fixedNow)
}

/// Parses and evaluates `source` against the sample context (or `variables`).
func evaluate(_ source: String, _ variables: [String: JSONValue] = sampleVariables) throws -> JSONValue {
    try Expression(parsing: source).evaluate(in: sampleContext(variables))
}

/// The parse error of `source`, or `nil` when it parses.
func parseError(_ source: String) -> ExpressionError? {
    do throws(ExpressionError) {
        _ = try Expression(parsing: source)
        return nil
    } catch {
        return error
    }
}

/// The evaluation error of `source` (which must parse), or `nil` when it evaluates.
func evaluationError(
    _ source: String, _ variables: [String: JSONValue] = sampleVariables, sourceLocation: SourceLocation = #_sourceLocation
) -> ExpressionError? {
    do throws(ExpressionError) {
        let expression = try Expression(parsing: source)
        do throws(ExpressionError) {
            _ = try expression.evaluate(in: sampleContext(variables))
            return nil
        } catch {
            return error
        }
    } catch {
        Issue.record("\(source) should parse but: \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// The parse error of a template, or `nil` when it parses.
func templateError(_ source: String) -> ExpressionError? {
    do throws(ExpressionError) {
        _ = try Template(parsing: source)
        return nil
    } catch {
        return error
    }
}

/// A small, fast, seedable generator (SplitMix64) so property tests are deterministic.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniformly chosen integer in `range` (computed here, not by the standard library, so the
    /// sequence is the same on every platform and toolchain).
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    mutating func chance(_ oneIn: Int) -> Bool { int(1...oneIn) == 1 }

    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
}
