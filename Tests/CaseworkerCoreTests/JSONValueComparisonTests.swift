import Testing

@testable import CaseworkerCore

/// `JSONValue.equalsByValue`, the one numeric-aware JSON equality: JSON Schema's `enum` and `const`
/// and the expression language's `==`, `in` and `contains` all use it.
@Suite struct JSONValueComparisonTests {
    static let equal: [(JSONValue, JSONValue)] = [
        (1, 1.0), (-0.0, 0), (0.0, -0.0), (1.5, 1.5), (.int(Int.max), .int(Int.max)),
        (["a": 1, "b": [2, 3.0]], ["b": [2.0, 3], "a": 1.0]),
        ([[["x": [1]]]], [[["x": [1.0]]]]),
        (.null, .null), (true, true), ("é", "e\u{301}"), ([], []), ([:], [:]),
    ]

    static let different: [(JSONValue, JSONValue)] = [
        (1, 1.5), (1, "1"), (0, false), (.null, false), (.null, 0), ("", .null), ([], [:]), ([1, 2], [2, 1]), ([1], [1, 1]),
        (["a": 1], ["a": 1, "b": 1]), (["a": 1], ["b": 1]), (["a": ["b": 1]], ["a": ["b": 1.5]]),
        // Exact, not through a double: 2^53 + 1 is no double, and Int.max is not 2^63.
        (.int(9_007_199_254_740_993), .double(9_007_199_254_740_992)), (.int(Int.max), .double(9_223_372_036_854_775_807)),
        (.int(Int.min), .double(-.infinity)), (1, .double(.nan)),
    ]

    @Test(arguments: equal)
    func equalByValue(a: JSONValue, b: JSONValue) {
        #expect(a.equalsByValue(b) && b.equalsByValue(a), "\(a) == \(b)")
    }

    @Test(arguments: different)
    func differentByValue(a: JSONValue, b: JSONValue) {
        #expect(!a.equalsByValue(b) && !b.equalsByValue(a), "\(a) != \(b)")
    }

    @Test func numbersOrderExactly() {
        #expect(JSONValue.compareNumbers(.int(9_007_199_254_740_993), .double(9_007_199_254_740_992)) == 1)
        #expect(JSONValue.compareNumbers(.double(9_223_372_036_854_775_807), .int(Int.max)) == 1, "the double is 2^63")
        #expect(JSONValue.compareNumbers(.int(Int.min), .double(-9_223_372_036_854_775_808)) == 0)
        #expect(JSONValue.compareNumbers(.int(-3), .double(-2.5)) == -1)
        #expect(JSONValue.compareNumbers(.int(Int.max), .double(.infinity)) == -1)
        #expect(JSONValue.compareNumbers(.int(1), .double(.nan)) == nil)
        #expect(JSONValue.compareNumbers("a", "b") == nil, "only numbers")
    }

    /// The two users agree: a schema's `const` and the expression language's `==`.
    @Test func schemaAndExpressionsShareIt() throws {
        let schema = try JSONSchema(parsing: ["const": ["n": 1, "list": [1, 2.0]]])
        #expect(schema.validate(["list": [1.0, 2], "n": 1.0]).isEmpty)
        let state: JSONValue = ["a": ["n": 1, "list": [1, 2.0]], "b": ["list": [1.0, 2], "n": 1.0], "c": ["n": 1.5, "list": [1, 2]]]
        #expect(try evaluate("state.a == state.b", ["state": state]) == true)
        #expect(try evaluate("state.a != state.c", ["state": state]) == true)
        #expect(try evaluate("1.0 in [state.a.n]", ["state": state]) == true)
        #expect(!schema.validate(state["c"]!).isEmpty)
    }
}
