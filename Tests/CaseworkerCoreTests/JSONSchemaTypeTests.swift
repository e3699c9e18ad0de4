import Testing
@testable import CaseworkerCore

@Suite struct JSONSchemaTypeTests {
    @Test(arguments: [
        ("null", JSONValue.null),
        ("boolean", .bool(false)),
        ("integer", .int(-3)),
        ("integer", .double(4.0)),
        ("integer", .double(-0.0)),
        ("integer", .double(1e20)),
        ("number", .int(7)),
        ("number", .double(7.5)),
        ("string", .string("")),
        ("array", .array([])),
        ("object", .object([:])),
    ] as [(String, JSONValue)])
    func acceptsMatchingType(type: String, instance: JSONValue) throws {
        #expect(try violations(instance, ["type": .string(type)]).isEmpty)
    }

    @Test(arguments: [
        ("null", JSONValue.bool(false), "boolean"),
        ("boolean", .int(1), "integer"),
        ("boolean", .string("true"), "string"),
        ("integer", .double(4.5), "number"),
        ("integer", .string("4"), "string"),
        ("number", .string("1.5"), "string"),
        ("number", .null, "null"),
        ("string", .int(1), "integer"),
        ("array", .object([:]), "object"),
        ("object", .array([]), "array"),
    ] as [(String, JSONValue, String)])
    func rejectsOtherTypes(type: String, instance: JSONValue, got: String) throws {
        #expect(try violations(instance, ["type": .string(type)]) == [fieldError("", "must be of type \(type), got \(got)")])
    }

    @Test func typeArrayAcceptsAnyListedType() throws {
        let schema: JSONValue = ["type": ["string", "null"]]
        #expect(try violations("x", schema).isEmpty)
        #expect(try violations(nil, schema).isEmpty)
        #expect(try violations(3, schema) == [fieldError("", "must be of type string or null, got integer")])
        #expect(try violationMessages(true, ["type": ["string", "integer", "null"]])
            == ["must be of type string, integer or null, got boolean"])
    }

    @Test func typeMismatchIsTheOnlyViolationReported() throws {
        let schema: JSONValue = ["type": "string", "minLength": 3, "enum": ["abc", "def"]]
        #expect(try violationMessages(12, schema) == ["must be of type string, got integer"])
    }

    @Test func keywordsForOtherTypesAreIgnored() throws {
        let schema: JSONValue = ["minLength": 3, "minimum": 10, "minItems": 2, "required": ["a"], "format": "email"]
        #expect(try violations(5.5, ["minLength": 3, "minItems": 2, "required": ["a"], "format": "email"]).isEmpty)
        #expect(try violations("xyz@example.org", ["minimum": 10, "minItems": 2, "required": ["a"]]).isEmpty)
        #expect(try violations(nil, schema).isEmpty)
        #expect(try violations(true, schema).isEmpty)
    }

    @Test func emptySchemaAcceptsEverything() throws {
        for instance: JSONValue in [nil, true, 1, 1.5, "s", [1], ["a": 1]] {
            #expect(try violations(instance, [:]).isEmpty)
        }
    }
}
