import Testing

@testable import CaseworkerCore

@Suite("Expression operators")
struct ExpressionOperatorTests {
    static let arithmeticCases: [(String, JSONValue)] = [
        ("1 + 2", .int(3)),
        ("1 + 2.5", .double(3.5)),
        ("0.5 + 1", .double(1.5)),
        ("0.1 + 0.2", .double(0.1 + 0.2)),
        ("'a' + 'b'", .string("ab")),
        ("[1] + [2, 'x']", .array([.int(1), .int(2), .string("x")])),
        ("[] + []", .array([])),
        ("7 - 10", .int(-3)),
        ("7.5 - 10", .double(-2.5)),
        ("3 * 4", .int(12)),
        ("2 * 1.5", .double(3.0)),
        ("6 / 3", .int(2)),
        ("-6 / 3", .int(-2)),
        ("7 / 2", .double(3.5)),
        ("7.0 / 2", .double(3.5)),
        ("6.0 / 3", .double(2.0)),
        ("1 / 3", .double(1.0 / 3.0)),
        ("7 % 3", .int(1)),
        ("-7 % 3", .int(-1)),
        ("7 % -3", .int(1)),
        ("-9223372036854775807 - 1", .int(Int.min)),
        ("(-9223372036854775807 - 1) % -1", .int(0)),
        ("-case.age", .int(-36)),
        ("-case.score", .double(-0.75)),
        ("case.age + params.threshold", .int(86)),
    ]

    @Test(arguments: arithmeticCases)
    func arithmetic(source: String, expected: JSONValue) throws {
        #expect(try evaluate(source) == expected)
    }

    static let precedenceCases: [(String, JSONValue)] = [
        ("1 + 2 * 3", .int(7)),
        ("(1 + 2) * 3", .int(9)),
        ("10 - 4 - 3", .int(3)),
        ("10 - (4 - 3)", .int(9)),
        ("2 * 3 % 4", .int(2)),
        ("2 * (3 % 4)", .int(6)),
        ("100 / 10 / 5", .int(2)),
        ("-2 * 3", .int(-6)),
        ("-(2 + 3)", .int(-5)),
        ("1 + -2", .int(-1)),
        ("!false && false", .bool(false)),
        ("!(false && false)", .bool(true)),
        ("true || false && false", .bool(true)),
        ("(true || false) && false", .bool(false)),
        ("1 + 1 == 2", .bool(true)),
        ("1 < 2 == true", .bool(true)),
        ("1 < 2 && 2 < 3", .bool(true)),
        ("2 == 2 && 3 != 4 || false", .bool(true)),
        ("1 + 2 in [3]", .bool(true)),
        ("!(1 in [1])", .bool(false)),
        ("'a' + 'b' in ['ab']", .bool(true)),
        ("true ? 1 : 0", .int(1)),
        ("false ? 1 : true ? 2 : 3", .int(2)),
        ("false ? 1 : false ? 2 : 3", .int(3)),
        ("(false ? true : false) ? 1 : 2", .int(2)),
        ("1 == 1 ? 'a' : 'b'", .string("a")),
        ("true || false ? 'x' : 'y'", .string("x")),
        ("true ? false ? 1 : 2 : 3", .int(2)),
        ("-input.items[0]", .int(-1)),
        ("!coalesce(steps.verify.output.body.missing, false)", .bool(true)),
        ("len('ab') * 2 + 1", .int(5)),
    ]

    @Test(arguments: precedenceCases)
    func precedence(source: String, expected: JSONValue) throws {
        #expect(try evaluate(source) == expected)
    }

    static let comparisons: [(String, Bool)] = [
        ("1 < 2", true), ("2 < 1", false), ("2 <= 2", true), ("3 <= 2", false),
        ("3 > 2.5", true), ("2 >= 2.0", true), ("2.5 > 3", false), ("1.5 >= 1", true),
        ("'a' < 'b'", true), ("'B' < 'a'", true), ("'abc' < 'abd'", true), ("'ab' < 'abc'", true),
        ("'abc' <= 'abc'", true), ("'b' > 'abc'", true), ("'é' > 'z'", true), ("'' < 'a'", true),
        ("9007199254740993 > 9007199254740992.0", true),
        ("9007199254740992.0 < 9007199254740993", true),
        ("9223372036854775807 < 1e19", true),
        ("-9223372036854775807 > -1e19", true),
        ("2 < 2.5", true), ("3 > 2.5", true), ("-3 < -2.5", true), ("-2 > -2.5", true),
        ("1 == 1.0", true), ("1 != 1.0", false), ("1 == 1.5", false),
        ("[1, 2] == [1.0, 2]", true), ("[1, 2] == [2, 1]", false), ("[1] == [1, 1]", false),
        ("case.address == case.address", true), ("case.address == case.empty", false),
        ("null == null", true), ("null == false", false), ("case.missing == null", true),
        ("1 != '1'", true), ("'a' == 'a'", true), ("'a' != 'A'", true), ("true == true", true),
        ("[] == case.empty", false), ("0 == false", false),
    ]

    @Test(arguments: comparisons)
    func comparison(source: String, expected: Bool) throws {
        #expect(try evaluate(source) == .bool(expected))
    }

    static let memberships: [(String, Bool)] = [
        ("'vip' in case.tags", true), ("'x' in case.tags", false),
        ("'name' in case", true), ("'zzz' in case", false), ("'nothing' in case", true),
        ("'da' in case.name", true), ("'Da' in case.name", false), ("'' in 'abc'", true),
        ("1 in [1.0]", true), ("[1] in [[1]]", true), ("null in [null]", true), ("2 in []", false),
    ]

    @Test(arguments: memberships)
    func membership(source: String, expected: Bool) throws {
        #expect(try evaluate(source) == .bool(expected))
    }

    static let logicCases: [(String, Bool)] = [
        ("true && true", true), ("true && false", false), ("false && null", false), ("true || null", true),
        ("false || true", true), ("!true", false), ("coalesce(case.missing, false) || true", true),
        ("!!true", true), ("false && 1 / 0 == 1", false), ("true || 1 / 0", true), ("false && 'x'", false),
        ("!coalesce(case.missing, false)", true),
    ]

    @Test(arguments: logicCases)
    func logic(source: String, expected: Bool) throws {
        #expect(try evaluate(source) == .bool(expected))
    }

    @Test func onlyTheChosenBranchOfAConditionalIsEvaluated() throws {
        #expect(try evaluate("true ? 1 : 1 / 0") == .int(1))
        #expect(try evaluate("false ? 1 / 0 : 2") == .int(2))
    }

    /// (source, column, reason)
    static let failures: [(String, Int, String)] = [
        ("1 + 'a'", 3, "cannot apply '+' to integer and string"),
        ("[1] + 'a'", 5, "cannot apply '+' to array and string"),
        ("case.nothing < 1", 14, "cannot compare null with integer"),
        ("'a' >= 1", 5, "cannot compare string with integer"),
        ("case.tags > case.tags", 11, "cannot compare array with array"),
        ("true <= false", 6, "cannot compare boolean with boolean"),
        ("1 / 0", 3, "division by zero in '/'"),
        ("1.5 / 0.0", 5, "division by zero in '/'"),
        ("5 % 0", 3, "division by zero in '%'"),
        ("2.5 % 2", 5, "cannot apply '%' to number and integer"),
        ("'a' - 'b'", 5, "cannot apply '-' to string and string"),
        ("null * 2", 6, "cannot apply '*' to null and integer"),
        ("2 / 'x'", 3, "cannot apply '/' to integer and string"),
        ("9223372036854775807 + 1", 21, "integer overflow in '+'"),
        ("-9223372036854775807 - 2", 22, "integer overflow in '-'"),
        ("4611686018427387904 * 2", 21, "integer overflow in '*'"),
        ("(-9223372036854775807 - 1) / -1", 28, "integer overflow in '/'"),
        ("-(-9223372036854775807 - 1)", 1, "integer overflow in '-'"),
        ("1e308 * 10", 7, "the result of '*' is too large"),
        ("-'a'", 1, "cannot apply '-' to string"),
        ("1 && true", 3, "'&&' needs a boolean, not integer"),
        ("true && 'x'", 6, "'&&' needs a boolean, not string"),
        ("false || []", 7, "'||' needs a boolean, not array"),
        ("!1", 1, "'!' needs a boolean, not integer"),
        ("1 ? 2 : 3", 3, "the condition of '?:' needs a boolean, not integer"),
        ("1 in 'abc'", 3, "cannot apply 'in' to integer and string"),
        ("'a' in null", 5, "cannot apply 'in' to string and null"),
        ("1 in case", 3, "cannot apply 'in' to integer and object"),
        ("case.name + (1 + [2])", 16, "cannot apply '+' to integer and array"),
    ]

    @Test(arguments: failures)
    func evaluationFailure(source: String, column: Int, reason: String) {
        let error = evaluationError(source)
        #expect(error?.reason == reason)
        #expect(error?.column == column)
        #expect(error?.source == source)
    }

    /// Null never decides: a null condition is an error naming the operand that was null, where
    /// it used to count as false (a typo in a sanctions flag approved a sanctions hit).
    static let nullConditions: [(String, Int, String)] = [
        ("null && true", 6, "'&&' needs a boolean, but null is null"),
        ("true && case.sanctionHit", 6, "'&&' needs a boolean, but case.sanctionHit is null"),
        ("case.missing || true", 14, "'||' needs a boolean, but case.missing is null"),
        ("false || case.x.y", 7, "'||' needs a boolean, but case.x.y is null"),
        ("!case.flag", 1, "'!' needs a boolean, but case.flag is null"),
        ("case.hit ? 'reject' : 'approve'", 10, "the condition of '?:' needs a boolean, but case.hit is null"),
        ("coalesce(case.a, case.b) ? 1 : 2", 26, "the condition of '?:' needs a boolean, but coalesce(case.a, case.b) is null"),
    ]

    @Test(arguments: nullConditions)
    func aNullConditionIsAnErrorNamingThePath(source: String, column: Int, reason: String) {
        let error = evaluationError(source)
        #expect(error?.column == column)
        #expect(error?.reason.hasPrefix(reason) == true, "\(error?.reason ?? "no error")")
        #expect(error?.reason.contains("null never decides") == true)
    }

    @Test func coalesceStatesTheDefaultOfACondition() throws {
        #expect(try evaluate("coalesce(case.hit, false) ? 'reject' : 'approve'") == "approve")
        #expect(try evaluate("coalesce(case.hit, true) ? 'reject' : 'approve'") == "reject")
    }

    @Test func errorDescriptionNamesTheExpression() {
        let error = evaluationError("case.name * 2")
        #expect(error?.description == "case.name * 2 at column 11: cannot apply '*' to string and integer")
    }
}
