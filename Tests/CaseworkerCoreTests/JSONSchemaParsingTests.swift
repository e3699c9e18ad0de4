import Testing
@testable import CaseworkerCore

@Suite struct JSONSchemaParsingTests {
    @Test func aFullValidSchemaParses() {
        let document: JSONValue = [
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://example.org/applicant",
            "$comment": "internal",
            "title": "Applicant",
            "description": "Who applies",
            "type": "object",
            "required": ["name"],
            "properties": [
                "name": ["type": "string", "minLength": 1, "maxLength": 100, "pattern": "\\S", "default": "x", "examples": ["Ada"]],
                "born": ["type": "string", "format": "date", "deprecated": false, "readOnly": true, "writeOnly": false],
                "score": ["type": ["number", "null"], "minimum": 0, "maximum": 1.5, "exclusiveMinimum": -1, "exclusiveMaximum": 2],
                "tags": ["type": "array", "items": ["enum": ["a", "b"]], "minItems": 0, "maxItems": 2.0],
                "kind": ["const": "person"],
            ],
            "additionalProperties": ["type": "string"],
        ]
        #expect(schemaParseErrors(document).isEmpty)
    }

    @Test func schemaMustBeObjectOrBoolean() {
        #expect(schemaParseErrors("object", at: "/inputSchema")
            == [fieldError("/inputSchema", "must be a schema (an object or a boolean), got string")])
        #expect(schemaParseErrors(["properties": ["a": 5]])
            == [fieldError("/properties/a", "must be a schema (an object or a boolean), got integer")])
    }

    @Test func booleanSchemas() throws {
        let yes = try JSONSchema(parsing: true)
        let no = try JSONSchema(parsing: false)
        #expect(yes.validate(["anything": [1, 2]]).isEmpty)
        #expect(no.validate(nil, at: "/input") == [fieldError("/input", "is not allowed (the schema is false)")])
        #expect(!no.isValid(1))
        #expect(yes.isValid(1))
    }

    @Test func unsupportedKeywordsAreRefusedWithTheSupportedList() throws {
        let errors = schemaParseErrors(["oneOf": [["type": "string"]], "properties": ["a": ["$ref": "#/x"]]], at: "/inputSchema")
        #expect(errors.map(\.property) == ["/inputSchema/oneOf", "/inputSchema/properties/a/$ref"])
        let message = try #require(errors.first?.message)
        #expect(message.hasPrefix("unsupported keyword 'oneOf' (supported: type, properties, required, "))
        #expect(message.contains("pattern, format, and the annotations $schema, $id"))
        #expect(errors[1].message.hasPrefix("unsupported keyword '$ref' (supported: "))
    }

    @Test(arguments: ["$ref", "$defs", "allOf", "anyOf", "oneOf", "not", "if", "then", "else",
                      "patternProperties", "prefixItems", "contains", "uniqueItems", "multipleOf",
                      "dependentRequired", "propertyNames", "minProperties", "unevaluatedProperties", "nullable"])
    func otherKeywordsAreUnsupported(_ keyword: String) {
        let errors = schemaParseErrors([keyword: true])
        #expect(errors.count == 1)
        #expect(errors.first?.property == "/" + keyword)
        #expect(errors.first?.message.hasPrefix("unsupported keyword '\(keyword)'") == true)
    }

    @Test func everyProblemIsCollectedAtOnceWithPointers() {
        let document: JSONValue = [
            "type": "obj",
            "properties": [
                "age": ["type": "integer", "minimum": "18", "maximum": 10],
                "code": ["pattern": "[a-", "format": "ipv4", "minLength": -1],
                "tags": ["items": [["type": "string"]], "minItems": 3, "maxItems": 2],
                "range": ["minimum": 5, "maximum": 1, "minLength": 4, "maxLength": 2],
            ],
            "required": ["a", 3, "a"],
            "additionalProperties": "no",
            "enum": [],
            "title": 5,
            "allOf": [],
        ]
        let errors = schemaParseErrors(document, at: "/inputSchema")
        #expect(errors == [
            fieldError("/inputSchema/additionalProperties", "must be a schema (an object or a boolean), got string"),
            fieldError("/inputSchema/allOf", errors.first { $0.property == "/inputSchema/allOf" }?.message ?? "missing"),
            fieldError("/inputSchema/enum", "must be a non-empty array of values, got an empty array"),
            fieldError("/inputSchema/properties/age/minimum", "must be a number, got string"),
            fieldError("/inputSchema/properties/code/format", "unknown format 'ipv4' (supported: date, date-time, email, uuid)"),
            fieldError("/inputSchema/properties/code/minLength", "must be a non-negative integer, got -1"),
            fieldError("/inputSchema/properties/code/pattern", "is not a valid regular expression: [a- (unterminated character class)"),
            fieldError("/inputSchema/properties/range/minimum", "must not be greater than maximum (1)"),
            fieldError("/inputSchema/properties/range/minLength", "must not be greater than maxLength (2)"),
            fieldError("/inputSchema/properties/tags/items", "must be a single schema (the array form of items is not supported)"),
            fieldError("/inputSchema/properties/tags/minItems", "must not be greater than maxItems (2)"),
            fieldError("/inputSchema/required/1", "must be a property name (a string), got integer"),
            fieldError("/inputSchema/required/2", "lists 'a' more than once"),
            fieldError("/inputSchema/title", "must be a string, got integer"),
            fieldError("/inputSchema/type", "unknown type 'obj' (supported: null, boolean, integer, number, string, array, object)"),
        ])
        #expect(errors.first { $0.property == "/inputSchema/allOf" }?.message.hasPrefix("unsupported keyword 'allOf'") == true)
    }

    @Test func keywordValueTypes() {
        let cases: [(JSONValue, FieldError)] = [
            (["type": 5], fieldError("/type", "must be a type name or a non-empty array of type names, got 5")),
            (["type": []], fieldError("/type", "must be a type name or a non-empty array of type names, got an empty array")),
            (["type": ["string", 1]], fieldError("/type/1", "must be a type name, got integer")),
            (["type": ["string", "float"]], fieldError("/type/1", "unknown type 'float' (supported: null, boolean, integer, number, string, array, object)")),
            (["type": ["string", "string"]], fieldError("/type/1", "lists type 'string' more than once")),
            (["properties": []], fieldError("/properties", "must be an object mapping property names to schemas, got array")),
            (["required": "name"], fieldError("/required", "must be an array of property names, got string")),
            (["enum": "a"], fieldError("/enum", "must be a non-empty array of values, got string")),
            (["maximum": nil], fieldError("/maximum", "must be a number, got null")),
            (["exclusiveMinimum": true], fieldError("/exclusiveMinimum", "must be a number, got boolean")),
            (["exclusiveMaximum": [1]], fieldError("/exclusiveMaximum", "must be a number, got array")),
            (["maxLength": 2.5], fieldError("/maxLength", "must be a non-negative integer, got 2.5")),
            (["minItems": "1"], fieldError("/minItems", "must be a non-negative integer, got string")),
            (["maxItems": -3], fieldError("/maxItems", "must be a non-negative integer, got -3")),
            (["pattern": 1], fieldError("/pattern", "must be a string (a regular expression), got integer")),
            (["format": true], fieldError("/format", "must be a string, got boolean")),
            (["$schema": 1], fieldError("/$schema", "must be a string, got integer")),
            (["description": nil], fieldError("/description", "must be a string, got null")),
            (["deprecated": "yes"], fieldError("/deprecated", "must be a boolean, got string")),
            (["readOnly": 1], fieldError("/readOnly", "must be a boolean, got integer")),
            (["examples": "x"], fieldError("/examples", "must be an array, got string")),
            (["items": 1], fieldError("/items", "must be a schema (an object or a boolean), got integer")),
        ]
        for (document, expected) in cases {
            #expect(schemaParseErrors(document) == [expected], "\(document)")
        }
    }

    @Test func defaultAndConstAcceptAnyValue() {
        #expect(schemaParseErrors(["default": nil, "const": ["a": [1]]]).isEmpty)
        #expect(schemaParseErrors(["type": "integer", "default": "not checked"]).isEmpty)
    }

    @Test func contradictoryNumericBounds() {
        #expect(schemaParseErrors(["minimum": 3, "maximum": 3]).isEmpty)
        #expect(schemaParseErrors(["minimum": 3.5, "maximum": 3]) == [fieldError("/minimum", "must not be greater than maximum (3)")])
        #expect(schemaParseErrors(["minimum": 3, "exclusiveMaximum": 3]) == [fieldError("/minimum", "must be less than exclusiveMaximum (3)")])
        #expect(schemaParseErrors(["exclusiveMinimum": 3, "maximum": 3]) == [fieldError("/exclusiveMinimum", "must be less than maximum (3)")])
        #expect(schemaParseErrors(["exclusiveMinimum": 4, "exclusiveMaximum": 3.5])
            == [fieldError("/exclusiveMinimum", "must be less than exclusiveMaximum (3.5)")])
        #expect(schemaParseErrors(["exclusiveMinimum": 1, "exclusiveMaximum": 2]).isEmpty)
        #expect(schemaParseErrors(["minLength": 2, "maxLength": 2, "minItems": 0, "maxItems": 0]).isEmpty)
    }

    @Test(arguments: ["[a-", "(abc", "a{2,1}", "*a", "(?<name", "\\"])
    func invalidRegularExpressions(_ pattern: String) {
        let errors = schemaParseErrors(["pattern": .string(pattern)], at: "/s")
        #expect(errors.map(\.property) == ["/s/pattern"])
        #expect(errors.first?.message.hasPrefix("is not a valid regular expression: \(pattern) (") == true, "\(errors)")
    }

    /// A chain of `depth` schemas, each the `items` of the previous one.
    private func nested(depth: Int) -> JSONValue {
        var schema: JSONValue = ["type": "integer"]
        for _ in 1..<depth { schema = ["items": schema] }
        return schema
    }

    @Test func depthLimit() throws {
        #expect(schemaParseErrors(nested(depth: JSONSchema.maximumDepth)).isEmpty)
        let errors = schemaParseErrors(nested(depth: JSONSchema.maximumDepth + 1), at: "/inputSchema")
        #expect(errors == [fieldError(
            "/inputSchema" + String(repeating: "/items", count: JSONSchema.maximumDepth),
            "is nested too deeply (schemas may be nested at most 32 levels)")])
        // A boolean schema counts as a level too.
        var tooDeep: JSONValue = true
        for _ in 1...JSONSchema.maximumDepth { tooDeep = ["properties": ["p": tooDeep]] }
        #expect(schemaParseErrors(tooDeep).count == 1)

        // The deepest allowed schema still validates.
        let schema = try JSONSchema(parsing: nested(depth: JSONSchema.maximumDepth))
        var instance: JSONValue = "x"
        for _ in 1..<JSONSchema.maximumDepth { instance = [instance] }
        let found = schema.validate(instance)
        #expect(found.count == 1)
        #expect(found.first?.message == "must be of type integer, got string")
        #expect(found.first?.property == String(repeating: "/0", count: JSONSchema.maximumDepth - 1))
    }

    @Test func equalityAndHashingFollowTheDocument() throws {
        let a = try JSONSchema(parsing: ["type": "string", "pattern": "^a"])
        let b = try JSONSchema(parsing: ["pattern": "^a", "type": "string"])
        let c = try JSONSchema(parsing: ["type": "string"])
        #expect(a == b)
        #expect(a != c)
        #expect(Set([a, b, c]).count == 2)
        #expect(a.document == ["type": "string", "pattern": "^a"])
    }

    @Test func parsedSchemaIsUsableAcrossTasks() async throws {
        let schema = try JSONSchema(parsing: ["type": "string", "pattern": "^[0-9]+$"])
        let results = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<50 {
                group.addTask { schema.isValid(.string(i % 2 == 0 ? "\(i)" : "x\(i)")) }
            }
            var valid = 0
            for await ok in group where ok { valid += 1 }
            return valid
        }
        #expect(results == 25)
    }
}
