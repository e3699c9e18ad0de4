import Foundation

/// Stored parameter values for runs of one workflow definition (SPEC 2.3).
public struct ParameterSet: Sendable, Hashable {
    public var id: String
    public var workflowDefinitionId: String
    /// The definition version the values were checked against; `nil` while definitions are not yet
    /// checked (see `docs/api.md`).
    public var version: Int?
    public var values: [String: JSONValue]
    public var createdAt: Date

    public init(id: String, workflowDefinitionId: String, version: Int?, values: [String: JSONValue], createdAt: Date) {
        self.id = id
        self.workflowDefinitionId = workflowDefinitionId
        self.version = version
        self.values = values
        self.createdAt = createdAt
    }
}

/// A validated `POST /v1/parameters` body.
public struct ParameterSetInput: Sendable, Hashable {
    public var workflowDefinitionId: String
    public var version: Int?
    public var values: [String: JSONValue]

    public init(workflowDefinitionId: String, version: Int?, values: [String: JSONValue]) {
        self.workflowDefinitionId = workflowDefinitionId
        self.version = version
        self.values = values
    }

    /// Checks the body's shape: `workflowDefinitionId` a definition id, `version` a positive
    /// integer if present, `values` an object (default `{}`), and no other members.
    public init(from body: JSONValue) throws(ValidationFailed) {
        let members = try body.requireObject()
        var errors: [FieldError] = []
        for key in members.keys.sorted() where !["workflowDefinitionId", "version", "values"].contains(key) {
            errors.append(FieldError(property: JSONPointer.appending(key, to: ""), message: "is not a parameter set field"))
        }
        var definitionId = ""
        switch members["workflowDefinitionId"] {
        case .string(let id)? where DefinitionID.isValid(id): definitionId = id
        case .string?:
            errors.append(FieldError(property: "/workflowDefinitionId", message: "must be 1–128 letters, digits, '-', '_' or '.'"))
        case nil, .null?: errors.append(FieldError(property: "/workflowDefinitionId", message: "is required"))
        case let other?:
            errors.append(FieldError(property: "/workflowDefinitionId", message: "must be a string, got \(other.typeName)"))
        }
        var version: Int?
        switch members["version"] {
        case nil, .null?: break
        case let value? where value.intValue.map({ $0 >= 1 }) == true: version = value.intValue
        case _?: errors.append(FieldError(property: "/version", message: "must be a positive integer"))
        }
        var values: [String: JSONValue] = [:]
        switch members["values"] {
        case nil, .null?: break
        case .object(let object)?: values = object
        case let other?: errors.append(FieldError(property: "/values", message: "must be an object, got \(other.typeName)"))
        }
        if !errors.isEmpty { throw ValidationFailed(errors) }
        self.init(workflowDefinitionId: definitionId, version: version, values: values)
    }
}
