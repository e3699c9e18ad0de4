/// One variable a workflow definition declares, e.g.
/// `"threshold": {"type": "integer", "default": 50, "required": false, "description": "..."}`.
///
/// Encodes to (and decodes from) exactly that object; `required` is omitted when `false`, `default`
/// and `description` when absent. Decoding refuses a `default` that does not match `type`; use
/// ``VariableDeclarations/init(parsing:at:)`` for untrusted input, which reports every problem with
/// a pointer.
public struct VariableDeclaration: Sendable, Hashable, Codable {
    /// The type every value (and the default) must have.
    public var type: VariableType
    /// The value used when a parameter set does not give one; always of `type` when present.
    public var defaultValue: JSONValue?
    /// Whether a parameter set must give a value. A required variable with a default may be
    /// omitted (the default applies) but never set to `null`.
    public var required: Bool
    /// A human-readable explanation of the variable.
    public var description: String?

    /// Creates a declaration. The caller guarantees `defaultValue`, when given, is of `type`.
    public init(type: VariableType, defaultValue: JSONValue? = nil, required: Bool = false, description: String? = nil) {
        self.type = type
        self.defaultValue = defaultValue
        self.required = required
        self.description = description
    }

    /// The JSON member names of a declaration.
    public static let memberNames = ["type", "default", "required", "description"]

    private enum CodingKeys: String, CodingKey {
        case type
        case defaultValue = "default"
        case required
        case description
    }

    /// Decodes the JSON form; `required` defaults to `false`, a `null` default counts as absent.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(VariableType.self, forKey: .type)
        defaultValue = try container.decodeIfPresent(JSONValue.self, forKey: .defaultValue)
        if defaultValue == .null { defaultValue = nil }
        required = try container.decodeIfPresent(Bool.self, forKey: .required) ?? false
        description = try container.decodeIfPresent(String.self, forKey: .description)
        if let defaultValue, !type.accepts(defaultValue) {
            throw DecodingError.dataCorruptedError(
                forKey: .defaultValue, in: container,
                debugDescription: "default must be of type \(type.rawValue), got \(defaultValue.typeName)")
        }
    }

    /// Encodes the JSON form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encodeIfPresent(defaultValue, forKey: .defaultValue)
        if required { try container.encode(true, forKey: .required) }
        try container.encodeIfPresent(description, forKey: .description)
    }
}
