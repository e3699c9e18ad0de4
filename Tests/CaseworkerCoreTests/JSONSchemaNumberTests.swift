import Testing
@testable import CaseworkerCore

@Suite struct JSONSchemaNumberTests {
    @Test func minimumIsInclusive() throws {
        let schema: JSONValue = ["minimum": 18]
        #expect(try violations(18, schema).isEmpty)
        #expect(try violations(18.0, schema).isEmpty)
        #expect(try violations(100, schema).isEmpty)
        #expect(try violationMessages(17, schema) == ["must be at least 18"])
        #expect(try violationMessages(17.999, schema) == ["must be at least 18"])
    }

    @Test func maximumIsInclusive() throws {
        let schema: JSONValue = ["maximum": 2.5]
        #expect(try violations(2.5, schema).isEmpty)
        #expect(try violations(2, schema).isEmpty)
        #expect(try violationMessages(3, schema) == ["must be at most 2.5"])
    }

    @Test func exclusiveMinimumIsANumber() throws {
        let schema: JSONValue = ["exclusiveMinimum": 0]
        #expect(try violations(0.001, schema).isEmpty)
        #expect(try violations(1, schema).isEmpty)
        #expect(try violationMessages(0, schema) == ["must be greater than 0"])
        #expect(try violationMessages(-0.0, schema) == ["must be greater than 0"])
        #expect(try violationMessages(-1, schema) == ["must be greater than 0"])
    }

    @Test func exclusiveMaximumIsANumber() throws {
        let schema: JSONValue = ["exclusiveMaximum": 100]
        #expect(try violations(99.99, schema).isEmpty)
        #expect(try violationMessages(100, schema) == ["must be less than 100"])
        #expect(try violationMessages(100.0, schema) == ["must be less than 100"])
    }

    @Test func boundsCombine() throws {
        let schema: JSONValue = ["minimum": 1, "maximum": 10, "exclusiveMaximum": 10]
        #expect(try violations(5, schema).isEmpty)
        #expect(try violationMessages(10, schema) == ["must be less than 10"])
        #expect(try violationMessages(11, schema) == ["must be at most 10", "must be less than 10"])
    }

    @Test func largeIntegersCompareExactly() throws {
        // 2^53 + 1 is not representable as a double; it must still count as above 2^53.
        let schema: JSONValue = ["maximum": 9_007_199_254_740_992]
        #expect(try violationMessages(9_007_199_254_740_993, schema) == ["must be at most 9007199254740992"])
        #expect(try violations(.int(Int.max), ["minimum": .double(1e300)]).count == 1)
        #expect(try violations(.int(Int.min), ["maximum": .double(-1e300)]).count == 1)
    }

    @Test func valueSupportComparesMixedNumbers() {
        #expect(JSONValue.compareNumbers(1, 1.0) == 0)
        #expect(JSONValue.compareNumbers(1, 1.5) == -1)
        #expect(JSONValue.compareNumbers(2.5, 2) == 1)
        #expect(JSONValue.compareNumbers(-2, -1.5) == -1)
        #expect(JSONValue.compareNumbers(.double(.nan), 1) == nil)
        #expect(JSONValue.compareNumbers("1", 1) == nil)
    }
}
