/// Turns a schema document into a ``SchemaNode``, collecting every problem as a ``FieldError``
/// pointing into the schema document. Used by ``JSONSchema/init(parsing:at:)``.
struct JSONSchemaParser {
    private(set) var errors: [FieldError] = []
    /// The `pattern`s read so far (at most `JSONSchema.maximumPatterns`).
    private var patterns = 0

    private static let keywordList =
        (JSONSchema.supportedKeywords + ["and the annotations"]).joined(separator: ", ")
        + " " + JSONSchema.annotationKeywords.joined(separator: ", ")

    private static let typeList = JSONSchemaType.allCases.map(\.rawValue).joined(separator: ", ")

    private mutating func fail(_ pointer: String, _ message: String) {
        errors.append(FieldError(property: pointer, message: message))
    }

    /// Parses the (sub)schema `value` found at `pointer`, `depth` levels deep (the root is 1).
    /// On error the result is a placeholder; callers only use it when `errors` stays empty.
    mutating func parseSchema(_ value: JSONValue, at pointer: String, depth: Int) -> SchemaNode {
        guard depth <= JSONSchema.maximumDepth else {
            fail(pointer, "is nested too deeply (schemas may be nested at most \(JSONSchema.maximumDepth) levels)")
            return .always(true)
        }
        switch value {
        case .bool(let b):
            return .always(b)
        case .object(let members):
            return .constraints(parseKeywords(members, at: pointer, depth: depth))
        default:
            fail(pointer, "must be a schema (an object or a boolean), got \(value.typeName)")
            return .always(true)
        }
    }

    private mutating func parseKeywords(_ members: [String: JSONValue], at pointer: String, depth: Int) -> SchemaConstraints {
        var c = SchemaConstraints()
        for keyword in members.keys.sorted() {
            let value = members[keyword]!
            let at = JSONPointer.appending(keyword, to: pointer)
            switch keyword {
            case "type":
                c.types = parseType(value, at: at)
            case "properties":
                guard case .object(let properties) = value else {
                    fail(at, "must be an object mapping property names to schemas, got \(value.typeName)")
                    continue
                }
                for name in properties.keys.sorted() {
                    c.properties[name] = parseSchema(properties[name]!, at: JSONPointer.appending(name, to: at), depth: depth + 1)
                }
            case "required":
                c.required = parseRequired(value, at: at)
            case "additionalProperties":
                c.additionalProperties = parseSchema(value, at: at, depth: depth + 1)
            case "items":
                if case .array = value {
                    fail(at, "must be a single schema (the array form of items is not supported)")
                } else {
                    c.items = parseSchema(value, at: at, depth: depth + 1)
                }
            case "enum":
                guard case .array(let values) = value, !values.isEmpty else {
                    fail(at, "must be a non-empty array of values, got \(describe(value))")
                    continue
                }
                c.enumValues = values
            case "const":
                c.constValue = value
            case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum":
                guard value.doubleValue != nil, value.doubleValue!.isFinite else {
                    fail(at, "must be a number, got \(value.typeName)")
                    continue
                }
                switch keyword {
                case "minimum": c.minimum = value
                case "maximum": c.maximum = value
                case "exclusiveMinimum": c.exclusiveMinimum = value
                default: c.exclusiveMaximum = value
                }
            case "minLength", "maxLength", "minItems", "maxItems":
                guard let n = value.intValue, n >= 0 else {
                    fail(at, "must be a non-negative integer, got \(describe(value))")
                    continue
                }
                switch keyword {
                case "minLength": c.minLength = n
                case "maxLength": c.maxLength = n
                case "minItems": c.minItems = n
                default: c.maxItems = n
                }
            case "pattern":
                guard case .string(let source) = value else {
                    fail(at, "must be a string (a regular expression), got \(value.typeName)")
                    continue
                }
                patterns += 1
                guard patterns <= JSONSchema.maximumPatterns else {
                    fail(at, "is one pattern too many (a schema may hold at most \(JSONSchema.maximumPatterns))")
                    continue
                }
                do throws(LinearRegex.SyntaxError) {
                    c.pattern = try SchemaPattern(source)
                } catch {
                    fail(at, "is not a valid regular expression: \(source) (\(error.message))")
                }
            case "format":
                guard case .string(let name) = value else {
                    fail(at, "must be a string, got \(value.typeName)")
                    continue
                }
                guard let format = JSONSchemaFormat(rawValue: name) else {
                    fail(at, "unknown format '\(name)' (supported: \(JSONSchema.supportedFormats.joined(separator: ", ")))")
                    continue
                }
                c.format = format
            case "$schema", "$id", "$comment", "title", "description":
                if value.stringValue == nil { fail(at, "must be a string, got \(value.typeName)") }
            case "deprecated", "readOnly", "writeOnly":
                if value.boolValue == nil { fail(at, "must be a boolean, got \(value.typeName)") }
            case "examples":
                if value.arrayValue == nil { fail(at, "must be an array, got \(value.typeName)") }
            case "default":
                break
            default:
                fail(at, "unsupported keyword '\(keyword)' (supported: \(Self.keywordList))")
            }
        }
        checkRanges(c, at: pointer)
        return c
    }

    /// `type`: one known name or a non-empty array of distinct known names.
    private mutating func parseType(_ value: JSONValue, at pointer: String) -> [JSONSchemaType]? {
        switch value {
        case .string(let name):
            guard let type = JSONSchemaType(rawValue: name) else {
                fail(pointer, "unknown type '\(name)' (supported: \(Self.typeList))")
                return nil
            }
            return [type]
        case .array(let names) where !names.isEmpty:
            var types: [JSONSchemaType] = []
            for (index, element) in names.enumerated() {
                let at = JSONPointer.appending(index, to: pointer)
                guard case .string(let name) = element else {
                    fail(at, "must be a type name, got \(element.typeName)")
                    continue
                }
                guard let type = JSONSchemaType(rawValue: name) else {
                    fail(at, "unknown type '\(name)' (supported: \(Self.typeList))")
                    continue
                }
                guard !types.contains(type) else {
                    fail(at, "lists type '\(name)' more than once")
                    continue
                }
                types.append(type)
            }
            return types
        default:
            fail(pointer, "must be a type name or a non-empty array of type names, got \(describe(value))")
            return nil
        }
    }

    /// `required`: an array of distinct strings.
    private mutating func parseRequired(_ value: JSONValue, at pointer: String) -> [String] {
        guard case .array(let elements) = value else {
            fail(pointer, "must be an array of property names, got \(value.typeName)")
            return []
        }
        var names: [String] = []
        var seen: Set<String> = []  // linear even for a list of 100,000 names
        for (index, element) in elements.enumerated() {
            let at = JSONPointer.appending(index, to: pointer)
            guard case .string(let name) = element else {
                fail(at, "must be a property name (a string), got \(element.typeName)")
                continue
            }
            guard seen.insert(name).inserted else {
                fail(at, "lists '\(name)' more than once")
                continue
            }
            names.append(name)
        }
        return names
    }

    /// Lower bounds above upper bounds make a schema unsatisfiable for that kind of value: almost
    /// certainly a mistake, so they are parse errors, reported at the lower bound.
    private mutating func checkRanges(_ c: SchemaConstraints, at pointer: String) {
        let numericPairs: [(String, JSONValue?, String, JSONValue?, Bool)] = [
            // (lower keyword, value, upper keyword, value, equal bounds allowed)
            ("minimum", c.minimum, "maximum", c.maximum, true),
            ("minimum", c.minimum, "exclusiveMaximum", c.exclusiveMaximum, false),
            ("exclusiveMinimum", c.exclusiveMinimum, "maximum", c.maximum, false),
            ("exclusiveMinimum", c.exclusiveMinimum, "exclusiveMaximum", c.exclusiveMaximum, false),
        ]
        for (lowerName, lower, upperName, upper, equalAllowed) in numericPairs {
            guard let lower, let upper, let order = JSONValue.compareNumbers(lower, upper) else { continue }
            let upperText = JSONSchemaValueSupport.render(upper)
            if equalAllowed, order > 0 {
                fail(JSONPointer.appending(lowerName, to: pointer), "must not be greater than \(upperName) (\(upperText))")
            } else if !equalAllowed, order >= 0 {
                fail(JSONPointer.appending(lowerName, to: pointer), "must be less than \(upperName) (\(upperText))")
            }
        }
        let countPairs: [(String, Int?, String, Int?)] = [
            ("minLength", c.minLength, "maxLength", c.maxLength),
            ("minItems", c.minItems, "maxItems", c.maxItems),
        ]
        for (lowerName, lower, upperName, upper) in countPairs {
            if let lower, let upper, lower > upper {
                fail(JSONPointer.appending(lowerName, to: pointer), "must not be greater than \(upperName) (\(upper))")
            }
        }
    }

    /// The type name, or the value itself for scalars of the right kind but wrong value
    /// (`-1`, `2.5`, `[]`), so the message says what was wrong.
    private func describe(_ value: JSONValue) -> String {
        switch value {
        case .int, .double: JSONSchemaValueSupport.render(value)
        case .array(let a) where a.isEmpty: "an empty array"
        default: value.typeName
        }
    }
}
