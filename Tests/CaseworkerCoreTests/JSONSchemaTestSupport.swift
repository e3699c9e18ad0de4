@testable import CaseworkerCore

/// Shorthand for an expected error.
func fieldError(_ property: String, _ message: String) -> FieldError {
    FieldError(property: property, message: message)
}

/// The parse errors of `document` (empty when it parses).
func schemaParseErrors(_ document: JSONValue, at basePointer: String = "") -> [FieldError] {
    do {
        _ = try JSONSchema(parsing: document, at: basePointer)
        return []
    } catch {
        return error.errors
    }
}

/// The violations of `instance` against `document`, which must parse.
func violations(_ instance: JSONValue, _ document: JSONValue, at basePointer: String = "") throws -> [FieldError] {
    try JSONSchema(parsing: document).validate(instance, at: basePointer)
}

/// The messages of the violations of `instance` at the root of the instance.
func violationMessages(_ instance: JSONValue, _ document: JSONValue) throws -> [String] {
    try violations(instance, document).map(\.message)
}
