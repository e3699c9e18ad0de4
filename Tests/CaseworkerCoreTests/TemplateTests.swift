import Testing

@testable import CaseworkerCore

@Suite("Templates")
struct TemplateTests {
    static let results: [(String, JSONValue)] = [
        ("hello", .string("hello")),
        ("", .string("")),
        ("${case.age}", .int(36)),
        ("${ case.score }", .double(0.75)),
        ("${case.address}", .object(["city": "Paris"])),
        ("${case.tags}", .array(["vip", "new"])),
        ("${case.nothing}", .null),
        ("${steps.verify.output.body.score >= params.threshold}", .bool(true)),
        (" ${case.age}", .string(" 36")),
        ("${case.age} ", .string("36 ")),
        ("Hi ${case.name}!", .string("Hi Ada!")),
        ("${case.age}${case.age}", .string("3636")),
        ("x=${case.nothing}.", .string("x=.")),
        ("${case.tags} and ${case.address}", .string("[\"vip\",\"new\"] and {\"city\":\"Paris\"}")),
        ("${1.5}/${2.0}/${true}/${-3}", .string("1.5/2/true/-3")),
        ("${'}'}", .string("}")),
        ("${ '}' + \"}\" }!", .string("}}!")),
        ("${'a${b}'}", .string("a${b}")),
        ("$${x}", .string("${x}")),
        ("cost: $5", .string("cost: $5")),
        ("$$", .string("$$")),
        ("$", .string("$")),
        ("{x}", .string("{x}")),
        ("a$${b}${case.age}", .string("a${b}36")),
        ("$$${case.age}", .string("$${case.age}")),
        ("${'$'}${case.age}", .string("$36")),
        ("é ${case.name} 😀", .string("é Ada 😀")),
        ("now: ${now}", .string("now: \(fixedNowText)")),
    ]

    @Test(arguments: results)
    func evaluation(source: String, expected: JSONValue) throws {
        #expect(try Template(parsing: source).evaluate(in: sampleContext()) == expected)
    }

    @Test func constantTemplates() throws {
        #expect(try Template(parsing: "plain $${text}").isConstant)
        #expect(try Template(parsing: "plain $${text}").constantText == "plain ${text}")
        #expect(try Template(parsing: "").constantText == "")
        #expect(try !Template(parsing: "a ${b}").isConstant)
        #expect(try Template(parsing: "a ${b}").constantText == nil)
    }

    @Test func singleExpressionAndDescription() throws {
        let template = try Template(parsing: "${ a + b }")
        #expect(template.singleExpression == (try Expression(parsing: "a+b")))
        #expect(template.description == "${ a + b }")
        #expect(try Template(parsing: " ${a}").singleExpression == nil)
        #expect(try Template(parsing: "${a}${b}").expressions.count == 2)
    }

    @Test func equalityIgnoresSpelling() throws {
        #expect(try Template(parsing: "x ${a+b}") == Template(parsing: "x ${ (a) + b }"))
        #expect(try Template(parsing: "x ${a+b}") != Template(parsing: "x ${a-b}"))
        #expect(try Template(parsing: "x ${a}") != Template(parsing: "y ${a}"))
    }

    @Test func referencedNames() throws {
        let template = try Template(parsing: "${steps.a.output} and ${steps['b-c'].code + params.n} ${steps[run.id]}")
        #expect(template.rootIdentifiers == ["steps", "params", "run"])
        #expect(template.referencedStepIds == ["a", "b-c"])
    }

    /// (template, column, reason)
    static let errors: [(String, Int, String)] = [
        ("Hi ${case.name", 4, "unterminated '${': expected '}' to close it"),
        ("${", 1, "unterminated '${': expected '}' to close it"),
        ("ok ${a} then ${b", 14, "unterminated '${': expected '}' to close it"),
        ("${a >= }", 8, "expected an expression after '>='"),
        ("${}", 3, "expected an expression after '${'"),
        ("x ${a b}", 7, "expected an operator or '}', found 'b'"),
        ("${(a}", 5, "expected ')' to close the '(' at column 3"),
        ("${len(a}", 8, "expected ')' to close the call to 'len'"),
        ("ok ${'unterminated}", 6, "unterminated string literal"),
        ("${${a}}", 3, "unexpected '${' inside an expression"),
        ("é😀 ${nope(1)}", 6, "unknown function 'nope'"),
        ("$${a} ${a ==}", 13, "expected an expression after '=='"),
    ]

    @Test(arguments: errors)
    func parseError(source: String, column: Int, reason: String) {
        let error = templateError(source)
        #expect(error?.reason == reason)
        #expect(error?.column == column)
        #expect(error?.source == source)
    }

    @Test func parseErrorDescription() {
        #expect(templateError("${a >= }")?.description == "${a >= } at column 8: expected an expression after '>='")
    }

    @Test func evaluationErrorsReferToTheWholeTemplate() throws {
        let source = "Total: ${case.name * 2}"
        do throws(ExpressionError) {
            _ = try Template(parsing: source).evaluate(in: sampleContext())
            Issue.record("expected an error")
        } catch {
            #expect(error.source == source)
            #expect(error.column == 20)
            #expect(error.description == "Total: ${case.name * 2} at column 20: cannot apply '*' to string and integer")
        }
    }

    @Test func lengthLimitAppliesPerExpression() throws {
        let longText = String(repeating: "t", count: 20_000)
        #expect(try Template(parsing: longText + "${case.age}").evaluate(in: sampleContext()) == .string(longText + "36"))

        let longestExpression = "'" + String(repeating: "x", count: 8190) + "'"
        #expect(try Template(parsing: "a ${\(longestExpression)}").evaluate(in: sampleContext()) != .null)
        let error = templateError("a ${\(longestExpression) }")
        #expect(error?.reason == "the expression is longer than 8192 characters")
        #expect(error?.column == 3)
    }
}
