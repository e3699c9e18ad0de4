import Foundation
import Testing

@testable import CaseworkerCore

@Suite("Expression functions")
struct ExpressionFunctionTests {
    static let results: [(String, JSONValue)] = [
        ("len('héllo')", .int(5)),
        ("len('e\\u0301')", .int(1)),
        ("len('😀')", .int(1)),
        ("len('')", .int(0)),
        ("len([1, 2])", .int(2)),
        ("len(case.address)", .int(1)),
        ("len(case)", .int(7)),
        ("len(null)", .int(0)),
        ("len(case.missing)", .int(0)),
        ("lower('ÀB c')", .string("àb c")),
        ("upper('abc')", .string("ABC")),
        ("trim('  a b \\n\\t')", .string("a b")),
        ("trim('   ')", .string("")),
        ("trim('x')", .string("x")),
        ("contains('hello', 'ell')", .bool(true)),
        ("contains('hello', 'xyz')", .bool(false)),
        ("contains('hello', '')", .bool(true)),
        ("contains([1, 2], 2.0)", .bool(true)),
        ("contains(case.tags, 'new')", .bool(true)),
        ("contains([[1]], [1])", .bool(true)),
        ("contains([], null)", .bool(false)),
        ("startsWith('hello', 'he')", .bool(true)),
        ("startsWith('hello', 'lo')", .bool(false)),
        ("endsWith('hello', 'lo')", .bool(true)),
        ("endsWith('hello', '')", .bool(true)),
        ("coalesce(null, case.nothing, 'x', 'y')", .string("x")),
        ("coalesce(null)", .null),
        ("coalesce(case.missing, 0)", .int(0)),
        ("coalesce(false, true)", .bool(false)),
        ("coalesce(1, 1 / 0)", .int(1)),
        ("int(5)", .int(5)),
        ("int(2.9)", .int(2)),
        ("int(-2.9)", .int(-2)),
        ("int('42')", .int(42)),
        ("int('-7')", .int(-7)),
        ("int('+3')", .int(3)),
        ("int(true)", .int(1)),
        ("int(false)", .int(0)),
        ("float(2)", .double(2)),
        ("float(2.5)", .double(2.5)),
        ("float('2.5')", .double(2.5)),
        ("float('-1e3')", .double(-1000)),
        ("float('7')", .double(7)),
        ("string('a\"b')", .string("a\"b")),
        ("string(2)", .string("2")),
        ("string(-2)", .string("-2")),
        ("string(2.0)", .string("2")),
        ("string(0.1)", .string("0.1")),
        ("string(-1.5)", .string("-1.5")),
        ("string(1e20)", .string("1e+20")),
        ("string(1e-7)", .string("1e-07")),
        ("string(true)", .string("true")),
        ("string(null)", .string("null")),
        ("string([1, 'a', null, 2.5])", .string("[1,\"a\",null,2.5]")),
        ("string(['q\"\\n'])", .string("[\"q\\\"\\n\"]")),
        ("string(case.address)", .string("{\"city\":\"Paris\"}")),
        (
            "string(steps.verify)",
            .string("{\"attempt\":1,\"code\":200,\"output\":{\"body\":{\"score\":72}},\"status\":\"OK\"}")
        ),
        ("now()", .string(fixedNowText)),
        ("now() == now", .bool(true)),
        ("len(lower(trim('  AB  ')))", .int(2)),
    ]

    @Test(arguments: results)
    func result(source: String, expected: JSONValue) throws {
        #expect(try evaluate(source) == expected)
    }

    /// (source, reason); the column is always 1, the function's name.
    static let failures: [(String, String)] = [
        ("len(5)", "'len' needs a string, array, object or null, not integer"),
        ("len(true)", "'len' needs a string, array, object or null, not boolean"),
        ("lower(1)", "'lower' needs a string, not integer"),
        ("upper(null)", "'upper' needs a string, not null"),
        ("trim([])", "'trim' needs a string, not array"),
        ("contains('a', 1)", "'contains' needs a string and a string, or an array and a value, not string and integer"),
        ("contains(null, 1)", "'contains' needs a string and a string, or an array and a value, not null and integer"),
        ("startsWith('a', 1)", "'startsWith' needs two strings, not string and integer"),
        ("endsWith(1, 'a')", "'endsWith' needs two strings, not integer and string"),
        ("int('4.5')", "'int' cannot convert the string \"4.5\" to an integer"),
        ("int(' 4')", "'int' cannot convert the string \" 4\" to an integer"),
        ("int('')", "'int' cannot convert the string \"\" to an integer"),
        ("int('99999999999999999999')", "'int' cannot convert the string \"99999999999999999999\" to an integer"),
        ("int(null)", "'int' cannot convert null to an integer"),
        ("int([])", "'int' cannot convert array to an integer"),
        ("int(1e300)", "'int' cannot convert 1e+300 to an integer: out of range"),
        ("float('inf')", "'float' cannot convert the string \"inf\" to a number"),
        ("float('nan')", "'float' cannot convert the string \"nan\" to a number"),
        ("float('0x10')", "'float' cannot convert the string \"0x10\" to a number"),
        ("float('1e999')", "'float' cannot convert the string \"1e999\" to a number"),
        ("float('')", "'float' cannot convert the string \"\" to a number"),
        ("float('1.2.3')", "'float' cannot convert the string \"1.2.3\" to a number"),
        ("float(true)", "'float' cannot convert boolean to a number"),
        ("float(null)", "'float' cannot convert null to a number"),
    ]

    @Test(arguments: failures)
    func failure(source: String, reason: String) {
        let error = evaluationError(source)
        #expect(error?.reason == reason)
        #expect(error?.column == 1)
    }

    @Test func failureColumnIsTheCallNotTheArgument() {
        #expect(evaluationError("1 + upper(2)")?.column == 5)
    }

    static let timestamps: [(Double, String)] = [
        (0, "1970-01-01T00:00:00.000Z"),
        (-1, "1969-12-31T23:59:59.000Z"),
        (-0.5, "1969-12-31T23:59:59.500Z"),
        (951_782_400, "2000-02-29T00:00:00.000Z"),
        (1_709_208_000.25, "2024-02-29T12:00:00.250Z"),
        (1_795_346_666.123, "2026-11-22T11:24:26.123Z"),
        (1_795_346_666.9996, "2026-11-22T11:24:27.000Z"),
        (4_102_444_799.999, "2099-12-31T23:59:59.999Z"),
    ]

    @Test(arguments: timestamps)
    func nowIsRFC3339WithMilliseconds(seconds: Double, expected: String) throws {
        let context = EvaluationContext(variables: [:], now: Date(timeIntervalSince1970: seconds))
        #expect(try Expression(parsing: "now()").evaluate(in: context) == .string(expected))
        #expect(try Expression(parsing: "now").evaluate(in: context) == .string(expected))
    }
}
