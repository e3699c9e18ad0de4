import Testing
@testable import CaseworkerCore

@Suite struct JSONSchemaEnumConstTests {
    @Test func enumAcceptsListedValues() throws {
        let schema: JSONValue = ["enum": ["a", "b"]]
        #expect(try violations("a", schema).isEmpty)
        #expect(try violations("b", schema).isEmpty)
        #expect(try violationMessages("c", schema) == [#"must be one of ["a","b"]"#])
        #expect(try violationMessages(1, schema) == [#"must be one of ["a","b"]"#])
    }

    @Test func enumComparesNumbersByValue() throws {
        let schema: JSONValue = ["enum": [1, 2.5, nil]]
        #expect(try violations(1.0, schema).isEmpty)
        #expect(try violations(2.5, schema).isEmpty)
        #expect(try violations(nil, schema).isEmpty)
        #expect(try violationMessages(2, schema) == ["must be one of [1,2.5,null]"])
        #expect(try violationMessages(false, ["enum": [0]]) == ["must be one of [0]"])
    }

    @Test func enumComparesStructuresDeeply() throws {
        let schema: JSONValue = ["enum": [["a": [1, 2]], [true]]]
        #expect(try violations(["a": [1.0, 2]], schema).isEmpty)
        #expect(try violations([true], schema).isEmpty)
        #expect(try violations(["a": [2, 1]], schema).count == 1)
        #expect(try violations(["a": [1, 2], "b": nil], schema).count == 1)
        #expect(try violations([true, true], schema).count == 1)
        #expect(try violationMessages(1, schema) == [#"must be one of [{"a":[1,2]},[true]]"#])
    }

    @Test func constUsesDeepEqualityWithOneEqualToOnePointZero() throws {
        #expect(try violations(1.0, ["const": 1]).isEmpty)
        #expect(try violations(1, ["const": 1.0]).isEmpty)
        #expect(try violations(["x": [1, "y"]], ["const": ["x": [1.0, "y"]]]).isEmpty)
        #expect(try violationMessages(2, ["const": 1]) == ["must be 1"])
        #expect(try violationMessages("Approved", ["const": "approved"]) == [#"must be "approved""#])
        #expect(try violationMessages(["x": 2], ["const": ["x": 1]]) == [#"must be {"x":1}"#])
    }

    @Test func constNullIsAConstraint() throws {
        #expect(try violations(nil, ["const": nil]).isEmpty)
        #expect(try violationMessages(0, ["const": nil]) == ["must be null"])
        #expect(try violationMessages(false, ["const": nil]) == ["must be null"])
    }

    @Test func renderingEscapesStrings() {
        #expect(JSONSchemaValueSupport.render("a\"b\\c\nd\u{1}") == #""a\"b\\c\nd\u0001""#)
        #expect(JSONSchemaValueSupport.render(["b": 1, "a": [nil, true]]) == #"{"a":[null,true],"b":1}"#)
    }
}
