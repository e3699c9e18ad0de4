import Testing

@testable import CaseworkerCore

/// One JSON string escaper (`JSONTextWriter.quoted`) and one key order (`keyPrecedes`, UTF-8
/// bytes) for every JSON text Core writes: stored JSON and webhook bodies (`JSONText.encode`),
/// `string(x)` and template text (`ExpressionText`), validation messages
/// (`JSONSchemaValueSupport.render`) and expression source (`ExpressionPrinter`). They once
/// disagreed: DEL was escaped by one, control characters were upper-case hex in another, and
/// three sorted keys by `String`'s `<`.
@Suite struct JSONStringEscapingTests {
    /// Every escape JSON has, a control character without a name, DEL and a non-ASCII letter.
    static let tricky = "q\"b\\s/\u{8}\u{C}\n\r\t\u{0}\u{1F}\u{7F}é"
    /// `/`, DEL and `é` as they are; `\u00XX` in lower case.
    static let escaped = #""q\"b\\s/\b\f\n\r\t\u0000\u001f"# + "\u{7F}é\""

    @Test func delIsWrittenAsIsAndControlCharactersAsLowerCaseHex() throws {
        #expect(JSONTextWriter.quoted(Self.tricky) == Self.escaped)
        #expect(JSONText.encode(.string(Self.tricky)) == Self.escaped)
        #expect(ExpressionText.compact(["k": .string(Self.tricky)]) == #"{"k":"# + Self.escaped + "}")
        #expect(JSONSchemaValueSupport.render(.string(Self.tricky)) == Self.escaped)
        #expect(try JSONText.decode(Self.escaped) == .string(Self.tricky))
    }

    @Test func expressionSourceQuotesStringsWithTheSameEscaper() throws {
        let expression = try Expression(parsing: "'q\"b\\\\s\\/\\b\\f\\n\\r\\t\\u0000\\u001F\u{7F}é' + x")
        #expect(expression.description == Self.escaped + " + x")
        #expect(try Expression(parsing: expression.description) == expression, "printed source parses back")
    }

    /// Keys in the order of their UTF-8 bytes: `e` + combining accent before `f` and `ß`
    /// (`String`'s `<` compares the composed `é` and put it last).
    @Test func keysAreInUTF8ByteOrderInEveryText() {
        let value: JSONValue = ["f": 1, "e\u{301}": 2, "Z": 3, "ß": 4, "a": 5]
        let expected = #"{"Z":3,"a":5,"e"# + "\u{301}" + #"":2,"f":1,"ß":4}"#
        #expect(JSONText.encode(value) == expected)
        #expect(ExpressionText.compact(value) == expected)
        #expect(JSONSchemaValueSupport.render(value) == expected)
        #expect(JSONTextWriter.keyPrecedes("e\u{301}", "f") && !("e\u{301}" < "f"))
    }
}
