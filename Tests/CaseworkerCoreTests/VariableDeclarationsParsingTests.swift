import Testing
@testable import CaseworkerCore

/// The parse errors of a `variables` object (empty when it parses).
func variableParseErrors(_ value: JSONValue, at basePointer: String = "/variables") -> [FieldError] {
    do {
        _ = try VariableDeclarations(parsing: value, at: basePointer)
        return []
    } catch {
        return error.errors
    }
}

@Suite struct VariableDeclarationsParsingTests {
    @Test func parsesEveryTypeWithDefaults() throws {
        let parsed = try VariableDeclarations(parsing: [
            "threshold": ["type": "integer", "default": 50, "required": false, "description": "Score cut-off"],
            "ratio": ["type": "number", "default": 1],
            "label": ["type": "string", "required": true],
            "enabled": ["type": "boolean", "default": false],
            "options": ["type": "object", "default": ["a": 1]],
            "list": ["type": "array", "default": []],
            "whole": ["type": "integer", "default": 3.0],
        ])
        #expect(parsed.declarations.count == 7)
        #expect(parsed.declarations["threshold"]
            == VariableDeclaration(type: .integer, defaultValue: 50, required: false, description: "Score cut-off"))
        #expect(parsed.declarations["label"] == VariableDeclaration(type: .string, required: true))
        #expect(parsed.declarations["ratio"]?.defaultValue == 1)
        #expect(parsed.declarations["whole"]?.defaultValue == 3.0)
        #expect(parsed.declarations["list"]?.required == false)
    }

    @Test func emptyVariablesParse() throws {
        #expect(try VariableDeclarations(parsing: [:]).declarations.isEmpty)
    }

    @Test func requiredWithADefaultIsFine() throws {
        let parsed = try VariableDeclarations(parsing: ["n": ["type": "integer", "default": 1, "required": true]])
        #expect(parsed.declarations["n"] == VariableDeclaration(type: .integer, defaultValue: 1, required: true))
    }

    @Test func variablesMustBeAnObject() {
        #expect(variableParseErrors(["a", "b"])
            == [fieldError("/variables", "must be an object mapping variable names to declarations, got array")])
    }

    @Test(arguments: ["a", "_", "_private", "Threshold2", "snake_case_name", String(repeating: "x", count: 64)])
    func validNames(_ name: String) {
        #expect(VariableDeclarations.isValidName(name))
        #expect(variableParseErrors([name: ["type": "string"]]).isEmpty)
    }

    @Test(arguments: ["", "2fast", "has-dash", "has space", "dot.ted", "ümlaut", "a$", String(repeating: "x", count: 65)])
    func invalidNames(_ name: String) {
        #expect(!VariableDeclarations.isValidName(name))
        #expect(variableParseErrors([name: ["type": "string"]]) == [fieldError(
            JSONPointer.appending(name, to: "/variables"),
            "is not a valid variable name (must match [A-Za-z_][A-Za-z0-9_]{0,63})")])
    }

    @Test func everyProblemIsCollectedAtOnce() {
        let errors = variableParseErrors([
            "threshold": ["type": "int", "default": "50"],
            "amount": ["type": "number", "default": "ten", "required": "no", "description": 5, "min": 0],
            "count": ["type": "integer", "default": 2.5],
            "name": ["default": "x"],
            "flag": "boolean",
            "bad-name": ["type": 3],
            "nothing": ["type": "string", "default": nil],
        ])
        #expect(errors == [
            fieldError("/variables/amount/default", "must be of type number, got string"),
            fieldError("/variables/amount/required", "must be a boolean, got string"),
            fieldError("/variables/amount/description", "must be a string, got integer"),
            fieldError("/variables/amount/min", "is not allowed (allowed members: type, default, required, description)"),
            fieldError("/variables/bad-name", "is not a valid variable name (must match [A-Za-z_][A-Za-z0-9_]{0,63})"),
            fieldError("/variables/bad-name/type", "must be a string, got integer"),
            fieldError("/variables/count/default", "must be of type integer, got number"),
            fieldError("/variables/flag", "must be an object (a variable declaration), got string"),
            fieldError("/variables/name/type", "is required"),
            fieldError("/variables/nothing/default", "must be of type string, got null"),
            fieldError("/variables/threshold/type", "unknown type 'int' (supported: string, integer, number, boolean, object, array)"),
        ])
    }

    @Test func customBasePointer() {
        #expect(variableParseErrors(["x": ["type": "date"]], at: "/definition/variables")
            == [fieldError("/definition/variables/x/type", "unknown type 'date' (supported: string, integer, number, boolean, object, array)")])
    }

    @Test(arguments: [
        (VariableType.string, JSONValue.string("s"), true), (.string, .int(1), false),
        (.integer, .int(-4), true), (.integer, .double(4.0), true), (.integer, .double(4.5), false),
        (.integer, .double(1e300), false), (.integer, .string("4"), false),
        (.number, .int(4), true), (.number, .double(4.5), true), (.number, .bool(true), false),
        (.boolean, .bool(false), true), (.boolean, .int(0), false),
        (.object, .object([:]), true), (.object, .array([]), false),
        (.array, .array([1]), true), (.array, .object([:]), false),
        (.string, .null, false), (.object, .null, false),
    ] as [(VariableType, JSONValue, Bool)])
    func typeAcceptance(type: VariableType, value: JSONValue, accepted: Bool) {
        #expect(type.accepts(value) == accepted)
    }
}
