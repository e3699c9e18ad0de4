import Testing

@testable import CaseworkerCore

@Suite("Expression literals and paths")
struct ExpressionLiteralAndPathTests {
    static let literals: [(String, JSONValue)] = [
        ("42", .int(42)),
        ("0", .int(0)),
        ("2.5", .double(2.5)),
        ("1e3", .double(1000)),
        ("1.5E-2", .double(0.015)),
        ("2e+2", .double(200)),
        ("-5", .int(-5)),
        ("--5", .int(5)),
        ("-2.5", .double(-2.5)),
        ("'single'", .string("single")),
        ("\"double\"", .string("double")),
        (#""a\"b\'c\\d\/e""#, .string("a\"b'c\\d/e")),
        (#"'line\nnext\ttab\rcr'"#, .string("line\nnext\ttab\rcr")),
        (#"'\u00e9\u00E9'"#, .string("éé")),
        (#"'\b\f'"#, .string("\u{8}\u{C}")),
        (#"'\uD83D\uDE00'"#, .string("😀")),
        ("true", .bool(true)),
        ("false", .bool(false)),
        ("null", .null),
        ("[]", .array([])),
        ("[1, \"a\", true, null, [2.5]]", .array([.int(1), .string("a"), .bool(true), .null, .array([.double(2.5)])])),
        ("[1 + 1, case.name]", .array([.int(2), .string("Ada")])),
        ("'}' ", .string("}")),
        ("'a \"quoted\" word'", .string("a \"quoted\" word")),
    ]

    @Test(arguments: literals)
    func literal(source: String, expected: JSONValue) throws {
        #expect(try evaluate(source) == expected)
    }

    @Test func adjacentStringLiteralsAreAnError() {
        let error = parseError("'it''s'")
        #expect(error?.column == 5)
        #expect(error?.reason == "expected an operator or the end of the expression, found a string literal")
    }

    static let paths: [(String, JSONValue)] = [
        ("case.name", .string("Ada")),
        ("case.address.city", .string("Paris")),
        ("case.tags[0]", .string("vip")),
        ("case.tags[1]", .string("new")),
        ("case.tags[2]", .null),
        ("case.tags[-1]", .null),
        ("case.tags[1.0]", .string("new")),
        ("case.tags[0.5]", .null),
        ("case.tags['0']", .null),
        ("case.tags[null]", .null),
        ("case['name']", .string("Ada")),
        ("case[\"address\"][\"city\"]", .string("Paris")),
        ("case[0]", .null),
        ("case[params.label]", .null),
        ("input.matrix[1][0]", .int(3)),
        ("input.items[len(input.items) - 1]", .int(3)),
        ("case.missing", .null),
        ("case.missing.deeper[3].still", .null),
        ("case.nothing", .null),
        ("case.nothing.x", .null),
        ("case.name.length", .null),
        ("case.name[0]", .null),
        ("case.age.x", .null),
        ("unknownRoot", .null),
        ("unknownRoot.x[1]", .null),
        ("steps.verify.output.body.score", .int(72)),
        ("steps.verify.status", .string("OK")),
        ("steps['send-mail'].status", .string("KO")),
        ("run.correlationId", .string("c1")),
        ("state.count", .int(2)),
        ("params.threshold", .int(50)),
        ("(case).name", .string("Ada")),
        ("[10, 20][1]", .int(20)),
        ("'abc'.x", .null),
        ("case.empty", .object([:])),
        ("now", .string(fixedNowText)),
        ("now()", .string(fixedNowText)),
        ("_under_score1", .null),
    ]

    @Test(arguments: paths)
    func path(source: String, expected: JSONValue) throws {
        #expect(try evaluate(source) == expected)
    }

    @Test func keywordsAreAllowedAsMemberNames() throws {
        let variables: [String: JSONValue] = ["a": ["in": 1, "true": 2, "null": 3, "false": 4]]
        #expect(try evaluate("a.in + a.true + a.null + a.false", variables) == .int(10))
    }

    @Test func nowIsTheInjectedTimeEvenWhenAVariableIsCalledNow() throws {
        #expect(try evaluate("now", ["now": "not the time"]) == .string(fixedNowText))
        let context = EvaluationContext(variables: [:], now: fixedNow)
        #expect(context.now == fixedNow)
        #expect(context.variables["now"] == .string(fixedNowText))
    }

    @Test func rootIdentifiersAndStepIds() throws {
        let expression = try Expression(parsing: "steps.verify.output.body.score >= params.threshold")
        #expect(expression.rootIdentifiers == ["steps", "params"])
        #expect(expression.referencedStepIds == ["verify"])

        let mixed = try Expression(
            parsing: "len(steps['send-mail'].output) + steps[x].code + coalesce(now, case.a.steps.fake)")
        #expect(mixed.rootIdentifiers == ["steps", "x", "now", "case"])
        #expect(mixed.referencedStepIds == ["send-mail"])
    }

    @Test func specExample() throws {
        #expect(try evaluate("steps.verify.output.body.score >= params.threshold") == .bool(true))
    }
}
