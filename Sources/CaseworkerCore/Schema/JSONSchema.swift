/// A parsed JSON Schema from the subset Caseworker enforces, e.g. a workflow definition's
/// `inputSchema`.
///
/// The subset (draft 2020-12 semantics):
///
/// - `type`: one name or a non-empty array of names out of `null`, `boolean`, `integer`, `number`,
///   `string`, `array`, `object`. `integer` accepts integers and doubles without a fractional part;
///   `number` accepts both.
/// - Objects: `properties`, `required`, `additionalProperties` (a boolean or a schema).
/// - Arrays: `items` (one schema for every element), `minItems`, `maxItems`.
/// - Any value: `enum`, `const` (deep equality where `1 == 1.0`).
/// - Numbers: `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum` (all numbers).
/// - Strings: `minLength`, `maxLength` (counted in Unicode scalars), `pattern` (an unanchored
///   search of the ECMA-262 subset `LinearRegex` matches in linear time; backreferences and
///   lookarounds are refused at save; at most `maximumPatterns` per schema, all the patterns of
///   one validation within one matching budget), `format` (`date`, `date-time`, `email`, `uuid`; asserted,
///   not just annotated).
/// - Annotations accepted and ignored: `$schema`, `$id`, `$comment`, `title`, `description`,
///   `default`, `examples`, `deprecated`, `readOnly`, `writeOnly`.
/// - Boolean schemas: `true` accepts everything, `false` nothing.
///
/// Every other keyword (`$ref`, `oneOf`, `allOf`, `if`, `patternProperties`, ...) is refused at
/// parse time rather than silently ignored, so a schema never looks stricter than it is.
/// Schemas nest at most ``maximumDepth`` levels.
///
/// Two schemas are equal when their source documents are equal (``document``).
public struct JSONSchema: Sendable, Hashable {
    /// The deepest nesting accepted: the root schema is level 1, a schema under `properties`,
    /// `items` or `additionalProperties` of a level-n schema is level n + 1.
    public static let maximumDepth = 32
    /// The most `pattern` keywords one schema may hold.
    public static let maximumPatterns = 64

    /// The validation keywords of the subset, in the order they are listed in messages.
    public static let supportedKeywords: [String] = [
        "type", "properties", "required", "additionalProperties", "items", "enum", "const",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
        "minItems", "maxItems", "pattern", "format",
    ]

    /// The annotation keywords that are accepted (and type-checked) but have no effect.
    public static let annotationKeywords: [String] = [
        "$schema", "$id", "$comment", "title", "description", "default", "examples", "deprecated",
        "readOnly", "writeOnly",
    ]

    /// The values `format` may take, sorted.
    public static let supportedFormats: [String] = JSONSchemaFormat.allCases.map(\.rawValue).sorted()

    /// The schema document exactly as it was given to ``init(parsing:at:)``.
    public let document: JSONValue

    /// The compiled form validation runs on.
    let root: SchemaNode

    /// Parses a schema document.
    ///
    /// Collects EVERY problem (unsupported keyword, wrong keyword type, invalid regular expression,
    /// unknown format, `minimum` > `maximum`, nesting deeper than ``maximumDepth``, ...) as a
    /// ``FieldError`` whose JSON pointer starts at `basePointer` (e.g. `/inputSchema`) and points
    /// into the schema document (e.g. `/inputSchema/properties/age/minimum`), then throws
    /// ``ValidationFailed`` with all of them, in a deterministic order (keywords and member names
    /// sorted; contradictory bounds after the other problems of the same schema object).
    /// Patterns are compiled here, once.
    public init(parsing schema: JSONValue, at basePointer: String = "") throws(ValidationFailed) {
        var parser = JSONSchemaParser()
        let root = parser.parseSchema(schema, at: basePointer, depth: 1)
        guard parser.errors.isEmpty else { throw ValidationFailed(parser.errors) }
        self.document = schema
        self.root = root
    }

    /// Validates an instance against the schema and returns every violation; an empty array means
    /// the instance is valid.
    ///
    /// Pointers start at `basePointer` and point INTO THE INSTANCE (e.g. `/input/applicant/email`;
    /// a missing required member is reported at the member's own pointer). When a value has the
    /// wrong `type`, that is the only violation reported for it. Object members are checked in
    /// name order, so the result is deterministic.
    public func validate(_ instance: JSONValue, at basePointer: String = "") -> [FieldError] {
        var validator = JSONSchemaValidator()
        validator.validate(instance, against: root, at: basePointer, falseMessage: "is not allowed (the schema is false)")
        return validator.errors
    }

    /// `true` when ``validate(_:at:)`` finds no violation.
    public func isValid(_ instance: JSONValue) -> Bool {
        validate(instance).isEmpty
    }

    /// Schemas are equal when their source documents are equal.
    public static func == (lhs: JSONSchema, rhs: JSONSchema) -> Bool {
        lhs.document == rhs.document
    }

    /// Hashes the source document.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(document)
    }
}
