import Foundation
import CaseworkerTestSupport
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

