import Testing

@testable import CaseworkerCore

@Suite("Expression canonical text")
struct ExpressionDescriptionTests {
    static let canonical: [(String, String)] = [
        ("(a+b)*c", "(a + b) * c"),
        ("a+b*c", "a + b * c"),
        ("a - (b - c)", "a - (b - c)"),
        ("(a - b) - c", "a - b - c"),
        ("((a))", "a"),
        ("-(1)", "-1"),
        ("-(-x)", "--x"),
        ("!(a && b)", "!(a && b)"),
        ("!a && b", "!a && b"),
        ("a || b && c", "a || b && c"),
        ("(a || b) && c", "(a || b) && c"),
        ("a ? b : (c ? d : e)", "a ? b : c ? d : e"),
        ("(a ? b : c) ? d : e", "(a ? b : c) ? d : e"),
        ("a ? (b ? c : d) : e", "a ? b ? c : d : e"),
        ("(a ? b : c) + 1", "(a ? b : c) + 1"),
        ("'it\\'s'", "\"it's\""),
        ("'tab\\there\\u0001'", "\"tab\\there\\u0001\""),
        ("(-5).x", "(-5).x"),
        ("-5 .x", "-5.x"),
        ("(a.b)[c]", "a.b[c]"),
        ("(a + b).c", "(a + b).c"),
        ("1e2", "100.0"),
        ("1.50", "1.5"),
        ("1e20", "1e+20"),
        ("[1,2 ,[ ]]", "[1, 2, []]"),
        ("len( x )", "len(x)"),
        ("coalesce(a,b,c)", "coalesce(a, b, c)"),
        ("a.in", "a.in"),
        ("x in  y", "x in y"),
        ("(1 in a) == true", "1 in a == true"),
        ("1 in (a == true)", "1 in (a == true)"),
        ("steps . verify . output", "steps.verify.output"),
        ("a [ 'k' ]", "a[\"k\"]"),
        ("now", "now"),
        ("now()", "now()"),
        ("!!true", "!!true"),
        ("1 - -1", "1 - -1"),
    ]

    @Test(arguments: canonical)
    func canonicalText(source: String, expected: String) throws {
        let expression = try Expression(parsing: source)
        #expect(expression.description == expected)
        #expect(try Expression(parsing: expected) == expression)
    }

    @Test func equalityIgnoresSpellingButNotStructure() throws {
        #expect(try Expression(parsing: "a+b") == Expression(parsing: " ( a ) + ( b ) "))
        #expect(try Expression(parsing: "1e2") == Expression(parsing: "100.0"))
        #expect(try Expression(parsing: "a - b - c") != Expression(parsing: "a - (b - c)"))
        #expect(try Expression(parsing: "1") != Expression(parsing: "1.0"))
        #expect(try Expression(parsing: "a.b") != Expression(parsing: "a['b']"))
        let set: Set<Expression> = [try Expression(parsing: "a+b"), try Expression(parsing: "a + b")]
        #expect(set.count == 1)
    }
}
