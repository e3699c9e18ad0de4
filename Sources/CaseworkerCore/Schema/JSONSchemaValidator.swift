/// Checks an instance against a ``SchemaNode``, collecting every violation as a ``FieldError``
/// pointing into the instance. Used by ``JSONSchema/validate(_:at:)``.
///
/// Recursion follows the schema, so it is bounded by ``JSONSchema/maximumDepth`` whatever the
/// depth of the instance.
struct JSONSchemaValidator {
    private(set) var errors: [FieldError] = []
    /// The work every pattern of one validation may do together (`LinearRegex` steps); a value
    /// whose pattern could not be decided within it is refused.
    private var patternBudget = JSONSchemaValidator.patternBudget
    static let patternBudget = 4_000_000

    private mutating func fail(_ pointer: String, _ message: String) {
        errors.append(FieldError(property: pointer, message: message))
    }

    /// Validates `instance` (found at `pointer`) against `node`; `falseMessage` is reported when
    /// `node` is the schema `false`.
    mutating func validate(_ instance: JSONValue, against node: SchemaNode, at pointer: String, falseMessage: String) {
        switch node {
        case .always(true):
            return
        case .always(false):
            fail(pointer, falseMessage)
        case .constraints(let c):
            validate(instance, against: c, at: pointer)
        }
    }

    private mutating func validate(_ instance: JSONValue, against c: SchemaConstraints, at pointer: String) {
        if let types = c.types, !types.contains(where: { $0.matches(instance) }) {
            // The other keywords would only add noise about a value of the wrong kind.
            let expected = JSONSchemaValueSupport.orList(types.map(\.rawValue))
            fail(pointer, "must be of type \(expected), got \(instance.typeName)")
            return
        }
        if let values = c.enumValues, !values.contains(where: { $0.equalsByValue(instance) }) {
            fail(pointer, "must be one of \(JSONSchemaValueSupport.render(.array(values)))")
        }
        if let constant = c.constValue, !constant.equalsByValue(instance) {
            fail(pointer, "must be \(JSONSchemaValueSupport.render(constant))")
        }
        switch instance {
        case .int, .double:
            validateNumber(instance, against: c, at: pointer)
        case .string(let string):
            validateString(string, against: c, at: pointer)
        case .array(let elements):
            validateArray(elements, against: c, at: pointer)
        case .object(let members):
            validateObject(members, against: c, at: pointer)
        case .null, .bool:
            break
        }
    }

    private mutating func validateNumber(_ number: JSONValue, against c: SchemaConstraints, at pointer: String) {
        func order(_ bound: JSONValue) -> Int? { JSONValue.compareNumbers(number, bound) }
        if let bound = c.minimum, let o = order(bound), o < 0 {
            fail(pointer, "must be at least \(JSONSchemaValueSupport.render(bound))")
        }
        if let bound = c.maximum, let o = order(bound), o > 0 {
            fail(pointer, "must be at most \(JSONSchemaValueSupport.render(bound))")
        }
        if let bound = c.exclusiveMinimum, let o = order(bound), o <= 0 {
            fail(pointer, "must be greater than \(JSONSchemaValueSupport.render(bound))")
        }
        if let bound = c.exclusiveMaximum, let o = order(bound), o >= 0 {
            fail(pointer, "must be less than \(JSONSchemaValueSupport.render(bound))")
        }
    }

    private mutating func validateString(_ string: String, against c: SchemaConstraints, at pointer: String) {
        if c.minLength != nil || c.maxLength != nil {
            let length = string.unicodeScalars.count
            if let min = c.minLength, length < min {
                fail(pointer, "must be at least \(min) \(min == 1 ? "character" : "characters") long")
            }
            if let max = c.maxLength, length > max {
                fail(pointer, "must be at most \(max) \(max == 1 ? "character" : "characters") long")
            }
        }
        if let pattern = c.pattern {
            switch pattern.matches(string, budget: &patternBudget) {
            case true?: break
            case false?: fail(pointer, "must match pattern \(pattern.source)")
            case nil: fail(pointer, "could not be checked against pattern \(pattern.source) within the matching budget")
            }
        }
        if let format = c.format, !format.isValid(string) {
            fail(pointer, format.violationMessage)
        }
    }

    private mutating func validateArray(_ elements: [JSONValue], against c: SchemaConstraints, at pointer: String) {
        if let min = c.minItems, elements.count < min {
            fail(pointer, "must have at least \(min) \(min == 1 ? "item" : "items")")
        }
        if let max = c.maxItems, elements.count > max {
            fail(pointer, "must have at most \(max) \(max == 1 ? "item" : "items")")
        }
        if let items = c.items {
            for (index, element) in elements.enumerated() {
                validate(element, against: items, at: JSONPointer.appending(index, to: pointer),
                         falseMessage: "is not allowed (items is false)")
            }
        }
    }

    private mutating func validateObject(_ members: [String: JSONValue], against c: SchemaConstraints, at pointer: String) {
        for name in c.required where members[name] == nil {
            fail(JSONPointer.appending(name, to: pointer), "is required")
        }
        for name in members.keys.sorted() {
            let at = JSONPointer.appending(name, to: pointer)
            if let property = c.properties[name] {
                validate(members[name]!, against: property, at: at, falseMessage: "is not allowed")
            } else if let additional = c.additionalProperties {
                validate(members[name]!, against: additional, at: at,
                         falseMessage: "is not allowed (additionalProperties is false)")
            }
        }
    }
}
