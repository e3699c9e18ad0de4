import Testing
@testable import CaseworkerCore

@Suite struct JSONSchemaArrayTests {
    @Test func minItems() throws {
        let schema: JSONValue = ["minItems": 2]
        #expect(try violations([1, 2], schema).isEmpty)
        #expect(try violationMessages([1], schema) == ["must have at least 2 items"])
        #expect(try violationMessages([], ["minItems": 1]) == ["must have at least 1 item"])
    }

    @Test func maxItems() throws {
        let schema: JSONValue = ["maxItems": 3]
        #expect(try violations([1, 2, 3], schema).isEmpty)
        #expect(try violationMessages([1, 2, 3, 4], schema) == ["must have at most 3 items"])
        #expect(try violationMessages([1, 2], ["maxItems": 1]) == ["must have at most 1 item"])
        #expect(try violations([], ["maxItems": 0]).isEmpty)
    }

    @Test func itemsValidatesEveryElementAtItsIndex() throws {
        let schema: JSONValue = ["items": ["type": "integer", "minimum": 0]]
        #expect(try violations([0, 1, 2.0], schema).isEmpty)
        #expect(try violations([1, -1, "x", 3, -5], schema, at: "/input/scores") == [
            fieldError("/input/scores/1", "must be at least 0"),
            fieldError("/input/scores/2", "must be of type integer, got string"),
            fieldError("/input/scores/4", "must be at least 0"),
        ])
    }

    @Test func itemsFalseAllowsOnlyEmptyArrays() throws {
        let schema: JSONValue = ["items": false]
        #expect(try violations([], schema).isEmpty)
        #expect(try violations([1], schema) == [fieldError("/0", "is not allowed (items is false)")])
    }

    @Test func countAndItemViolationsAreAllReported() throws {
        let schema: JSONValue = ["maxItems": 1, "items": ["type": "string"]]
        #expect(try violations([1, "a"], schema) == [
            fieldError("", "must have at most 1 item"),
            fieldError("/0", "must be of type string, got integer"),
        ])
    }
}
