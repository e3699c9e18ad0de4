import Testing
@testable import CaseworkerCore

@Suite struct JSONSchemaObjectTests {
    static let applicant: JSONValue = [
        "type": "object",
        "required": ["name", "email"],
        "properties": [
            "name": ["type": "string", "minLength": 1],
            "email": ["type": "string", "format": "email"],
            "age": ["type": "integer", "minimum": 18],
        ],
        "additionalProperties": false,
    ]

    @Test func validObjectPasses() throws {
        #expect(try violations(["name": "Ada", "email": "ada@example.org", "age": 36], Self.applicant).isEmpty)
    }

    @Test func requiredMembersAreReportedAtTheirOwnPointer() throws {
        #expect(try violations(["age": 30], Self.applicant, at: "/input") == [
            fieldError("/input/name", "is required"),
            fieldError("/input/email", "is required"),
        ])
    }

    @Test func nullCountsAsPresentForRequired() throws {
        let schema: JSONValue = ["required": ["a"]]
        #expect(try violations(["a": nil], schema).isEmpty)
        #expect(try violations(["b": 1], schema) == [fieldError("/a", "is required")])
    }

    @Test func everyViolationIsReportedInNameOrder() throws {
        let instance: JSONValue = ["name": "", "email": "nope", "age": 12, "zip": "1234", "extra": true]
        #expect(try violations(instance, Self.applicant, at: "/input") == [
            fieldError("/input/age", "must be at least 18"),
            fieldError("/input/email", "must be a valid email address"),
            fieldError("/input/extra", "is not allowed (additionalProperties is false)"),
            fieldError("/input/name", "must be at least 1 character long"),
            fieldError("/input/zip", "is not allowed (additionalProperties is false)"),
        ])
    }

    @Test func additionalPropertiesAllowedByDefaultAndWithTrue() throws {
        #expect(try violations(["x": 1, "y": "z"], ["properties": ["x": ["type": "integer"]]]).isEmpty)
        #expect(try violations(["y": "z"], ["additionalProperties": true]).isEmpty)
    }

    @Test func additionalPropertiesSchemaAppliesToUndeclaredMembersOnly() throws {
        let schema: JSONValue = [
            "properties": ["id": ["type": "string"]],
            "additionalProperties": ["type": "integer"],
        ]
        #expect(try violations(["id": "a", "n": 1, "m": 2.0], schema).isEmpty)
        #expect(try violations(["id": "a", "n": "one"], schema) == [fieldError("/n", "must be of type integer, got string")])
    }

    @Test func falsePropertySchemaForbidsTheMember() throws {
        let schema: JSONValue = ["properties": ["legacy": false]]
        #expect(try violations(["legacy": 1], schema) == [fieldError("/legacy", "is not allowed")])
        #expect(try violations([:], schema).isEmpty)
    }

    @Test func nestedPointersReachDeepIntoTheInstance() throws {
        let schema: JSONValue = [
            "properties": [
                "items": [
                    "type": "array",
                    "items": [
                        "type": "object",
                        "required": ["name"],
                        "properties": ["name": ["type": "string", "maxLength": 3]],
                    ],
                ]
            ]
        ]
        let instance: JSONValue = ["items": [["name": "abc"], ["name": "ab"], ["name": "abcd"], [:], ["name": 5]]]
        #expect(try violations(instance, schema, at: "/input") == [
            fieldError("/input/items/2/name", "must be at most 3 characters long"),
            fieldError("/input/items/3/name", "is required"),
            fieldError("/input/items/4/name", "must be of type string, got integer"),
        ])
    }

    @Test func memberNamesAreEscapedInPointers() throws {
        let schema: JSONValue = ["additionalProperties": false]
        #expect(try violations(["a/b": 1, "c~d": 2], schema) == [
            fieldError("/a~1b", "is not allowed (additionalProperties is false)"),
            fieldError("/c~0d", "is not allowed (additionalProperties is false)"),
        ])
        #expect(try violations([:], ["required": ["x/y"]]) == [fieldError("/x~1y", "is required")])
    }
}
