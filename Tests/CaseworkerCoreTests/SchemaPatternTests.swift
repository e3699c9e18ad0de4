import Testing

@testable import CaseworkerCore

/// `pattern` is matched in linear time: tenants choose both the pattern and the input.
@Suite struct SchemaPatternTests {
    @Test func catastrophicPatternsAreDecidedCorrectly() throws {
        var properties: [String: JSONValue] = [:]
        var instance: [String: JSONValue] = [:]
        for index in 0..<12 {
            properties["p\(index)"] = ["type": "string", "pattern": "^(a+)+$"]
            instance["p\(index)"] = .string(String(repeating: "a", count: 50) + "!")
        }
        let schema = try JSONSchema(parsing: ["type": "object", "properties": .object(properties)])
        let problems = schema.validate(.object(instance), at: "/input")
        #expect(problems.count == 12)
        #expect(problems.allSatisfy { $0.message == "must match pattern ^(a+)+$" })
        instance["p0"] = .string(String(repeating: "a", count: 5000))
        #expect(schema.validate(.object(instance)).count == 11)
    }

    @Test func backtrackingOnlyConstructsAreRefusedAtSave() {
        for pattern in [#"(a)\1"#, "(?=a)b", "(?<!a)b", #"\p{L}"#] {
            #expect(throws: ValidationFailed.self, "\(pattern)") {
                try JSONSchema(parsing: ["type": "string", "pattern": .string(pattern)])
            }
        }
        let many = JSONValue.object(
            Dictionary(uniqueKeysWithValues: (0..<65).map { ("p\($0)", ["type": "string", "pattern": "a"] as JSONValue) }))
        #expect(throws: ValidationFailed.self) { try JSONSchema(parsing: ["type": "object", "properties": many]) }
    }

    @Test func aPatternUndecidedWithinTheBudgetRefusesTheValue() throws {
        let schema = try JSONSchema(parsing: ["type": "array", "items": ["type": "string", "pattern": "(a|b|c|d|e|f|g|h)*z"]])
        let long = JSONValue.string(String(repeating: "abcdefgh", count: 8000))
        let problems = schema.validate(.array(Array(repeating: long, count: 40)))
        #expect(problems.contains { $0.message.contains("within the matching budget") })
    }
}
