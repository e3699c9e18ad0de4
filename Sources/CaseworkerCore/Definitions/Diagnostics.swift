/// Collects the problems of a document being parsed, so that every one is reported at once.
final class Diagnostics {
    private(set) var errors: [FieldError] = []

    func add(_ pointer: String, _ message: String) {
        errors.append(FieldError(property: pointer, message: message))
    }

    func add(_ failure: ValidationFailed) {
        errors += failure.errors
    }
}

/// Typed reads of one JSON object's members, recording a problem for each wrong type and, with
/// `finish()`, for each member nobody asked for.
struct MemberReader {
    let members: [String: JSONValue]
    let pointer: String
    let diagnostics: Diagnostics
    private var read: Set<String> = []

    /// `nil` (with a problem recorded) when `value` is not an object.
    init?(_ value: JSONValue, at pointer: String, _ diagnostics: Diagnostics, what: String = "an object") {
        guard case .object(let members) = value else {
            diagnostics.add(pointer, "must be \(what), got \(value.typeName)")
            return nil
        }
        self.members = members
        self.pointer = pointer
        self.diagnostics = diagnostics
    }

    func at(_ key: String) -> String { JSONPointer.appending(key, to: pointer) }

    /// The member, `nil` when absent or `null`.
    mutating func value(_ key: String) -> JSONValue? {
        read.insert(key)
        guard let value = members[key], !value.isNull else { return nil }
        return value
    }

    mutating func required(_ key: String) -> JSONValue? {
        guard let value = value(key) else {
            diagnostics.add(at(key), "is required")
            return nil
        }
        return value
    }

    mutating func string(_ key: String, required: Bool = false, maxLength: Int = 256) -> String? {
        guard let value = required ? self.required(key) : self.value(key) else { return nil }
        guard case .string(let text) = value else {
            diagnostics.add(at(key), "must be a string, got \(value.typeName)")
            return nil
        }
        guard (required ? 1 : 0)...maxLength ~= text.codePointCount else {
            diagnostics.add(at(key), required ? "must be 1–\(maxLength) characters" : "must be at most \(maxLength) characters")
            return nil
        }
        return text
    }

    mutating func bool(_ key: String) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let flag) = value else {
            diagnostics.add(at(key), "must be a boolean, got \(value.typeName)")
            return nil
        }
        return flag
    }

    mutating func int(_ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let value = value(key) else { return nil }
        guard let number = value.intValue, range.contains(number) else {
            diagnostics.add(at(key), "must be an integer from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return number
    }

    /// A number of seconds in `range`.
    mutating func seconds(_ key: String, in range: ClosedRange<Double>) -> Double? {
        guard let value = value(key) else { return nil }
        guard let number = value.doubleValue, range.contains(number) else {
            diagnostics.add(at(key), "must be a number of seconds from \(format(range.lowerBound)) to \(format(range.upperBound))")
            return nil
        }
        return number
    }

    mutating func object(_ key: String) -> [String: JSONValue]? {
        guard let value = value(key) else { return nil }
        guard case .object(let members) = value else {
            diagnostics.add(at(key), "must be an object, got \(value.typeName)")
            return nil
        }
        return members
    }

    mutating func array(_ key: String) -> [JSONValue]? {
        guard let value = value(key) else { return nil }
        guard case .array(let elements) = value else {
            diagnostics.add(at(key), "must be an array, got \(value.typeName)")
            return nil
        }
        return elements
    }

    /// A template string member.
    mutating func template(_ key: String, required: Bool = false) -> Template? {
        guard let text = string(key, required: required, maxLength: 8192) else { return nil }
        do {
            return try Template(parsing: text)
        } catch {
            diagnostics.add(at(key), "\(error)")
            return nil
        }
    }

    /// A member of any JSON type whose strings are templates.
    mutating func templated(_ key: String, required: Bool = false) -> TemplatedValue? {
        guard let value = required ? self.required(key) : self.value(key) else { return nil }
        do {
            return try TemplatedValue(parsing: value, at: at(key))
        } catch {
            diagnostics.add(error)
            return nil
        }
    }

    /// Records a problem for every member not read, except those in `ignoring`.
    func finish(ignoring: Set<String> = [], what: String) {
        for key in members.keys.sorted() where !read.contains(key) && !ignoring.contains(key) {
            diagnostics.add(at(key), "is not \(what)")
        }
    }

    private func format(_ value: Double) -> String {
        value.rounded() == value ? String(Int(value)) : String(value)
    }
}
