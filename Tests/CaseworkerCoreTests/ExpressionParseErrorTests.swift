import Testing

@testable import CaseworkerCore

@Suite("Expression parse errors")
struct ExpressionParseErrorTests {
    /// (source, column, reason)
    static let errors: [(String, Int, String)] = [
        ("a >= ", 6, "expected an expression after '>='"),
        ("a >=", 5, "expected an expression after '>='"),
        ("a + )", 5, "expected an expression after '+', found ')'"),
        ("", 1, "expected an expression"),
        ("   ", 4, "expected an expression"),
        ("(", 2, "expected an expression after '('"),
        ("len(a", 6, "expected ')' to close the call to 'len'"),
        ("len(", 5, "expected ')' to close the call to 'len'"),
        ("[", 2, "expected ']' to close the array literal opened at column 1"),
        ("len(a b)", 7, "expected ',' or ')' in the call to 'len', found 'b'"),
        ("len(a,)", 7, "expected an expression after ',', found ')'"),
        ("foo(1)", 1, "unknown function 'foo'"),
        ("1 + foo(", 5, "unknown function 'foo'"),
        ("len(1, 2)", 1, "'len' takes exactly 1 argument, got 2"),
        ("len()", 1, "'len' takes exactly 1 argument, got 0"),
        ("now(1)", 1, "'now' takes no arguments, got 1"),
        ("coalesce()", 1, "'coalesce' takes at least 1 argument, got 0"),
        ("contains(1)", 1, "'contains' takes exactly 2 arguments, got 1"),
        ("(1 + 2", 7, "expected ')' to close the '(' at column 1"),
        ("(1 + 2]", 7, "expected ')' to close the '(' at column 1, found ']'"),
        ("[1, 2", 6, "expected ']' to close the array literal opened at column 1"),
        ("[1 2]", 4, "expected ',' or ']' in the array literal opened at column 1, found '2'"),
        ("a[1", 4, "expected ']' to close the '[' at column 2"),
        ("a[]", 3, "expected an expression after '[', found ']'"),
        ("a.", 3, "expected a member name after '.'"),
        ("a.1", 3, "expected a member name after '.', found '1'"),
        ("a ? b", 6, "expected ':' to go with the '?' at column 3"),
        ("a ? b c", 7, "expected ':' to go with the '?' at column 3, found 'c'"),
        ("a b", 3, "expected an operator or the end of the expression, found 'b'"),
        ("a }", 3, "expected an operator or the end of the expression, found '}'"),
        ("1 2.5", 3, "expected an operator or the end of the expression, found '2.5'"),
        ("a = b", 3, "unexpected '='; did you mean '=='?"),
        ("a & b", 3, "unexpected '&'; did you mean '&&'?"),
        ("a | b", 3, "unexpected '|'; did you mean '||'?"),
        ("a # b", 3, "unexpected character '#'"),
        ("{}", 1, "unexpected character '{'"),
        ("$x", 1, "unexpected character '$'"),
        ("${a}", 1, "unexpected '${': write the expression itself, without '${' and '}'"),
        ("a.b(1)", 4, "unexpected '(': only the built-in functions can be called, by name"),
        ("'abc", 1, "unterminated string literal"),
        ("x + \"abc\\\"", 5, "unterminated string literal"),
        ("'a\\qb'", 3, "unknown escape '\\q' in a string literal"),
        ("'\\u12'", 2, "expected 4 hexadecimal digits after '\\u'"),
        ("'\\uD800'", 2, "unpaired surrogate in a '\\u' escape"),
        ("'\\uDC00'", 2, "unpaired surrogate in a '\\u' escape"),
        ("'\\uD800\\u0041'", 2, "unpaired surrogate in a '\\u' escape"),
        ("1e", 2, "expected digits in the exponent of the number"),
        ("1e+", 2, "expected digits in the exponent of the number"),
        ("12abc", 3, "unexpected character 'a' after a number"),
        ("99999999999999999999", 1, "the integer 99999999999999999999 is too large (the maximum is 9223372036854775807)"),
        ("1 + 1e999", 5, "the number 1e999 is out of range"),
        // Columns count Characters: "e\u{301}" and "😀" are one column each.
        ("'e\u{301}' + ", 7, "expected an expression after '+'"),
        ("'😀😀' + ", 8, "expected an expression after '+'"),
        ("'😀' == x )", 10, "expected an operator or the end of the expression, found ')'"),
    ]

    @Test(arguments: errors)
    func rejected(source: String, column: Int, reason: String) {
        let error = parseError(source)
        #expect(error?.reason == reason)
        #expect(error?.column == column)
        #expect(error?.source == source)
    }

    @Test func descriptionFormat() {
        let error = ExpressionError(source: "${a >= }", column: 8, reason: "expected an expression after '>='")
        #expect(error.description == "${a >= } at column 8: expected an expression after '>='")
    }

    @Test func longSourcesAreShownAsAnExcerpt() {
        let source = String(repeating: "a + ", count: 50) + "(b c)"
        let error = parseError(source)
        #expect(error?.column == 204)
        let description = error?.description ?? ""
        #expect(description.hasPrefix("…"))
        #expect(description.hasSuffix("(b c) at column 204: expected ')' to close the '(' at column 201, found 'c'"))
        #expect(description.count < 200)
    }

    // MARK: - Limits

    @Test func nestingUpToTheLimitParses() throws {
        let parens = String(repeating: "(", count: 63) + "1" + String(repeating: ")", count: 63)
        #expect(try evaluate(parens) == .int(1))
        let negations = String(repeating: "-", count: 63) + "1"
        #expect(try evaluate(negations) == .int(-1))
        let sum = Array(repeating: "1", count: 64).joined(separator: " + ")
        #expect(try evaluate(sum) == .int(64))
        let members = "a" + String(repeating: ".b", count: 63)
        #expect(try evaluate(members) == .null)
    }

    @Test func nestingBeyondTheLimitIsAParseError() {
        let tooDeep = "the expression is nested too deeply (at most 64 levels)"
        let parens = String(repeating: "(", count: 64) + "1" + String(repeating: ")", count: 64)
        #expect(parseError(parens)?.reason == tooDeep)
        #expect(parseError(parens)?.column == 65)
        #expect(parseError(String(repeating: "-", count: 64) + "1")?.reason == tooDeep)
        #expect(parseError(Array(repeating: "1", count: 65).joined(separator: "+"))?.reason == tooDeep)
        #expect(parseError("a" + String(repeating: ".b", count: 64))?.reason == tooDeep)
        #expect(parseError(String(repeating: "[", count: 65))?.reason == tooDeep)
        #expect(parseError(String(repeating: "len(", count: 65))?.reason == tooDeep)
        #expect(parseError(String(repeating: "a ? b : ", count: 65) + "c")?.reason == tooDeep)
        // Hostile input fails fast instead of exhausting the stack.
        #expect(parseError(String(repeating: "(", count: 8000))?.reason == tooDeep)
        #expect(parseError(String(repeating: "!", count: 8000) + "x")?.reason == tooDeep)
    }

    @Test func sourceLengthIsLimited() throws {
        let longest = "'" + String(repeating: "x", count: 8190) + "'"
        #expect(try evaluate("len(x)", ["x": Expression(parsing: longest).evaluate(in: sampleContext())]) == .int(8190))
        let tooLong = longest + " "
        let error = parseError(tooLong)
        #expect(error?.reason == "the expression is longer than 8192 characters")
        #expect(error?.column == 8193)
    }
}
