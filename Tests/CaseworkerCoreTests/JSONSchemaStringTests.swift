import Testing
@testable import CaseworkerCore

@Suite struct JSONSchemaStringTests {
    @Test func minLength() throws {
        let schema: JSONValue = ["minLength": 2]
        #expect(try violations("ab", schema).isEmpty)
        #expect(try violationMessages("a", schema) == ["must be at least 2 characters long"])
        #expect(try violationMessages("", schema) == ["must be at least 2 characters long"])
    }

    @Test func maxLength() throws {
        let schema: JSONValue = ["maxLength": 3]
        #expect(try violations("abc", schema).isEmpty)
        #expect(try violations("", schema).isEmpty)
        #expect(try violationMessages("abcd", schema) == ["must be at most 3 characters long"])
        #expect(try violationMessages("ab", ["maxLength": 1]) == ["must be at most 1 character long"])
    }

    @Test func lengthCountsUnicodeScalars() throws {
        // "é" as e + combining acute: one Character, two scalars.
        let decomposed = "e\u{301}"
        #expect(try violationMessages(.string(decomposed), ["maxLength": 1]) == ["must be at most 1 character long"])
        // 😀 is one scalar (two UTF-16 units, four UTF-8 bytes).
        #expect(try violations("😀😀", ["maxLength": 2, "minLength": 2]).isEmpty)
        // 👍🏽 is one Character but two scalars.
        #expect(try violations("👍🏽", ["minLength": 2]).isEmpty)
    }

    @Test func patternIsAnUnanchoredSearch() throws {
        #expect(try violations("abc123", ["pattern": "[0-9]+"]).isEmpty)
        #expect(try violationMessages("abc", ["pattern": "[0-9]+"]) == ["must match pattern [0-9]+"])
    }

    @Test func anchoredPattern() throws {
        let schema: JSONValue = ["pattern": "^[0-9]+$"]
        #expect(try violations("12345", schema).isEmpty)
        #expect(try violationMessages("123a", schema) == ["must match pattern ^[0-9]+$"])
        #expect(try violationMessages("", schema) == ["must match pattern ^[0-9]+$"])
    }

    @Test func patternHandlesNonASCII() throws {
        let schema: JSONValue = ["pattern": "^.{2}$"]
        #expect(try violations("😀é", schema).isEmpty)
        #expect(try violations("Zürich", ["pattern": "^Z.rich$"]).isEmpty)
    }

    @Test func stringKeywordsAllReport() throws {
        let schema: JSONValue = ["minLength": 5, "pattern": "^[a-z]+$", "format": "uuid"]
        #expect(try violationMessages("AB", schema) == [
            "must be at least 5 characters long",
            "must match pattern ^[a-z]+$",
            "must be a valid UUID (8-4-4-4-12 hexadecimal digits)",
        ])
    }
}
