/// The type of a workflow variable, as declared in a definition's `variables`.
///
/// There is no `null` type: `null` stands for "no value" and is accepted for optional variables
/// only (see ``VariableDeclarations/validate(values:at:)``).
public enum VariableType: String, Sendable, Hashable, Codable, CaseIterable {
    /// The JSON type names a declaration's `type` may take.
    case string, integer, number, boolean, object, array

    /// Whether `value` is of this type. `integer` accepts integers and doubles with an exact
    /// integer value within ±2^53 (so ``JSONValue/intValue`` always succeeds on an accepted
    /// value); `number` accepts integers and doubles; `null` is of no type.
    public func accepts(_ value: JSONValue) -> Bool {
        switch (self, value) {
        case (.string, .string), (.boolean, .bool), (.object, .object), (.array, .array),
            (.number, .int), (.number, .double):
            true
        case (.integer, _):
            value.intValue != nil
        default:
            false
        }
    }
}
