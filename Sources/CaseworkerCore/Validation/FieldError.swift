/// One problem with a request body: where it is (a JSON pointer, RFC 6901) and what is wrong.
///
/// Validators collect every `FieldError` they find instead of stopping at the first, so a client
/// sees all its mistakes in one 422 answer.
public struct FieldError: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A JSON pointer into the request body, e.g. `/steps/2/next/0/stepId`; `""` is the whole body.
    public var property: String
    /// A sentence saying what is wrong, e.g. `must be a string of at most 256 characters`.
    public var message: String

    public init(property: String, message: String) {
        self.property = property
        self.message = message
    }

    public var description: String { "\(property.isEmpty ? "/" : property): \(message)" }
}

/// Thrown by validation that found one or more problems.
public struct ValidationFailed: Error, Sendable, Equatable {
    public var errors: [FieldError]

    public init(_ errors: [FieldError]) {
        self.errors = errors
    }
}

extension JSONValue {
    /// The members of a request body that must be a JSON object; otherwise a validation failure
    /// at the body's root ("must be a JSON object, got array").
    public func requireObject() throws(ValidationFailed) -> [String: JSONValue] {
        guard case .object(let members) = self else {
            throw ValidationFailed([FieldError(property: "", message: "must be a JSON object, got \(typeName)")])
        }
        return members
    }
}
