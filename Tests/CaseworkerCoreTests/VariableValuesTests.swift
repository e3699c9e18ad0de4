import Testing
@testable import CaseworkerCore

@Suite struct VariableValuesTests {
    static let declarations = try! VariableDeclarations(parsing: [
        "threshold": ["type": "integer", "default": 50],
        "ratio": ["type": "number"],
        "label": ["type": "string", "required": true],
        "mode": ["type": "string", "required": true, "default": "auto"],
        "flags": ["type": "object"],
        "tags": ["type": "array", "default": ["a"]],
        "enabled": ["type": "boolean", "default": true],
    ])

    private func valueErrors(_ values: [String: JSONValue]) -> [FieldError] {
        do {
            _ = try Self.declarations.validate(values: values)
            return []
        } catch {
            return error.errors
        }
    }

    @Test func validValuesAreReturnedExactlyAsGiven() throws {
        let values: [String: JSONValue] = ["label": "x", "threshold": 70.0, "ratio": 2]
        #expect(try Self.declarations.validate(values: values) == values)
    }

    @Test func everyTypeIsChecked() throws {
        let values: [String: JSONValue] = [
            "label": "x", "threshold": 1, "ratio": 0.5, "mode": "manual", "flags": ["k": nil], "tags": [], "enabled": false,
        ]
        #expect(try Self.declarations.validate(values: values) == values)
    }

    @Test func allProblemsAreReportedAtOnceInNameOrder() {
        #expect(valueErrors(["threshold": "high", "ratio": true, "unknown": 1, "flags": [], "tags": ["a": 1], "enabled": "yes", "mode": nil]) == [
            fieldError("/values/enabled", "must be of type boolean, got string"),
            fieldError("/values/flags", "must be of type object, got array"),
            fieldError("/values/label", "is required"),
            fieldError("/values/mode", "is required and must not be null"),
            fieldError("/values/ratio", "must be of type number, got boolean"),
            fieldError("/values/tags", "must be of type array, got object"),
            fieldError("/values/threshold", "must be of type integer, got string"),
            fieldError("/values/unknown", "is not a declared variable"),
        ])
    }

    @Test func integerAcceptsIntegralDoublesOnly() {
        #expect(valueErrors(["label": "x", "threshold": 3.0]).isEmpty)
        #expect(valueErrors(["label": "x", "threshold": 3.5]) == [fieldError("/values/threshold", "must be of type integer, got number")])
    }

    @Test func requiredWithoutDefaultMustBeGiven() {
        #expect(valueErrors([:]) == [fieldError("/values/label", "is required")])
    }

    @Test func requiredWithDefaultMayBeOmittedButNotNull() {
        #expect(valueErrors(["label": "x"]).isEmpty)
        #expect(valueErrors(["label": nil]) == [fieldError("/values/label", "is required and must not be null")])
        #expect(valueErrors(["label": "x", "mode": nil]) == [fieldError("/values/mode", "is required and must not be null")])
    }

    @Test func nullIsAcceptedForOptionalVariables() {
        #expect(valueErrors(["label": "x", "threshold": nil, "ratio": nil, "flags": nil]).isEmpty)
    }

    @Test func customBasePointer() throws {
        #expect(throws: ValidationFailed([fieldError("/parameterSet/values/label", "is required")])) {
            try Self.declarations.validate(values: [:], at: "/parameterSet/values")
        }
    }

    @Test func noDeclarationsRejectEveryValue() {
        let none = VariableDeclarations()
        #expect(throws: ValidationFailed([fieldError("/values/a", "is not a declared variable")])) {
            try none.validate(values: ["a": 1])
        }
        #expect((try? none.validate(values: [:])) == [:])
    }

    @Test func validateDoesNotMergeDefaults() throws {
        let stored = try Self.declarations.validate(values: ["label": "x"])
        #expect(stored == ["label": "x"])
    }

    @Test func resolveOverlaysValuesOnDefaults() {
        #expect(Self.declarations.resolve(values: ["label": "x", "threshold": 70]) == [
            "label": "x", "threshold": 70, "mode": "auto", "tags": ["a"], "enabled": true,
        ])
        #expect(Self.declarations.resolve(values: [:]) == ["threshold": 50, "mode": "auto", "tags": ["a"], "enabled": true])
    }

    @Test func explicitValuesWinOverDefaultsIncludingNull() {
        let resolved = Self.declarations.resolve(values: ["label": "x", "enabled": false, "threshold": nil, "tags": []])
        #expect(resolved["enabled"] == false)
        #expect(resolved["threshold"] == .null)
        #expect(resolved["tags"] == [])
        #expect(resolved["ratio"] == nil)
    }
}
