import Foundation

/// A compiled schema: a boolean schema or an object of constraints.
indirect enum SchemaNode: Sendable {
    /// `true` (accepts everything) or `false` (accepts nothing).
    case always(Bool)
    case constraints(SchemaConstraints)
}

/// The keywords of one object schema, checked and compiled. `nil` / empty means "absent".
struct SchemaConstraints: Sendable {
    var types: [JSONSchemaType]?
    var properties: [String: SchemaNode] = [:]
    var required: [String] = []
    var additionalProperties: SchemaNode?
    var items: SchemaNode?
    var enumValues: [JSONValue]?
    /// `.some(.null)` is `"const": null`; `nil` is no `const`.
    var constValue: JSONValue?
    /// Numeric bounds, each a `.int` or a `.double` as written in the schema.
    var minimum: JSONValue?
    var maximum: JSONValue?
    var exclusiveMinimum: JSONValue?
    var exclusiveMaximum: JSONValue?
    var minLength: Int?
    var maxLength: Int?
    var minItems: Int?
    var maxItems: Int?
    var pattern: SchemaPattern?
    var format: JSONSchemaFormat?
}

/// A JSON Schema type name (a value of the `type` keyword).
enum JSONSchemaType: String, Sendable, CaseIterable {
    case null, boolean, integer, number, string, array, object

    /// Whether `value` is of this type; `integer` also accepts doubles with no fractional part.
    func matches(_ value: JSONValue) -> Bool {
        switch (self, value) {
        case (.null, .null), (.boolean, .bool), (.integer, .int), (.number, .int), (.number, .double),
            (.string, .string), (.array, .array), (.object, .object):
            true
        case (.integer, .double(let d)):
            d.isFinite && d.rounded(.towardZero) == d
        default:
            false
        }
    }
}

/// A `pattern`, compiled once at parse time into a `LinearRegex` (an ECMA-262 subset matched in
/// time linear in the input: tenants choose patterns, and a backtracking engine takes seconds on
/// `^(a+)+$`).
struct SchemaPattern: Sendable {
    let source: String
    let regex: LinearRegex

    /// Compiles `source`; throws when it is no valid pattern of the supported subset (the error
    /// says which construct, e.g. a backreference or a lookahead).
    init(_ source: String) throws(LinearRegex.SyntaxError) {
        self.source = source
        self.regex = try LinearRegex(source)
    }

    /// Whether the pattern matches anywhere in `string` (JSON Schema patterns are not anchored);
    /// `nil` when `budget` ran out before it was decided.
    func matches(_ string: String, budget: inout Int) -> Bool? {
        regex.firstMatch(in: string, budget: &budget)
    }
}
