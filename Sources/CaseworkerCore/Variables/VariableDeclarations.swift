/// The variables a workflow definition declares (its `variables` object), and the checks of
/// parameter values against them.
///
/// Variable names match `[A-Za-z_][A-Za-z0-9_]{0,63}` so they can be used as identifiers in
/// expressions.
public struct VariableDeclarations: Sendable, Hashable {
    /// The declarations by variable name.
    public var declarations: [String: VariableDeclaration]

    /// The longest variable name accepted.
    public static let maximumNameLength = 64

    /// Wraps already-checked declarations (names are not re-checked).
    public init(_ declarations: [String: VariableDeclaration] = [:]) {
        self.declarations = declarations
    }

    /// Parses the `variables` object of a workflow definition.
    ///
    /// Collects every problem as a ``FieldError`` under `basePointer`, then throws
    /// ``ValidationFailed`` with all of them: `variables` not an object, a name not matching
    /// `[A-Za-z_][A-Za-z0-9_]{0,63}` (at `/variables/<name>`), a declaration that is no object,
    /// a missing or unknown `type` (at `/variables/<name>/type`), a `default` not of the type
    /// (including `null`), `required` not a boolean, `description` not a string, and any other
    /// member. A required variable with a default is fine.
    public init(parsing value: JSONValue, at basePointer: String = "/variables") throws(ValidationFailed) {
        guard case .object(let members) = value else {
            throw ValidationFailed([FieldError(property: basePointer, message: "must be an object mapping variable names to declarations, got \(value.typeName)")])
        }
        var errors: [FieldError] = []
        var declarations: [String: VariableDeclaration] = [:]
        for name in members.keys.sorted() {
            let pointer = JSONPointer.appending(name, to: basePointer)
            if !Self.isValidName(name) {
                errors.append(FieldError(property: pointer, message: "is not a valid variable name (must match [A-Za-z_][A-Za-z0-9_]{0,63})"))
            }
            if let declaration = Self.parseDeclaration(members[name]!, at: pointer, errors: &errors) {
                declarations[name] = declaration
            }
        }
        guard errors.isEmpty else { throw ValidationFailed(errors) }
        self.declarations = declarations
    }

    /// Whether `name` matches `[A-Za-z_][A-Za-z0-9_]{0,63}`.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= maximumNameLength else { return false }
        func isLetterOrUnderscore(_ b: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(b)
                || b == UInt8(ascii: "_")
        }
        return isLetterOrUnderscore(first)
            && bytes.allSatisfy { isLetterOrUnderscore($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    private static let typeList = VariableType.allCases.map(\.rawValue).joined(separator: ", ")

    /// One declaration; `nil` (with errors appended) when it has problems.
    private static func parseDeclaration(_ value: JSONValue, at pointer: String, errors: inout [FieldError]) -> VariableDeclaration? {
        guard case .object(let members) = value else {
            errors.append(FieldError(property: pointer, message: "must be an object (a variable declaration), got \(value.typeName)"))
            return nil
        }
        let errorCount = errors.count
        func fail(_ member: String, _ message: String) {
            errors.append(FieldError(property: JSONPointer.appending(member, to: pointer), message: message))
        }

        var type: VariableType?
        switch members["type"] {
        case nil:
            fail("type", "is required")
        case .string(let name)?:
            type = VariableType(rawValue: name)
            if type == nil { fail("type", "unknown type '\(name)' (supported: \(typeList))") }
        case let other?:
            fail("type", "must be a string, got \(other.typeName)")
        }

        let defaultValue = members["default"]
        if let defaultValue, let type, !type.accepts(defaultValue) {
            fail("default", "must be of type \(type.rawValue), got \(defaultValue.typeName)")
        }

        var required = false
        if let value = members["required"] {
            if let flag = value.boolValue { required = flag } else { fail("required", "must be a boolean, got \(value.typeName)") }
        }

        var description: String?
        if let value = members["description"] {
            if let text = value.stringValue { description = text } else { fail("description", "must be a string, got \(value.typeName)") }
        }

        for member in members.keys.sorted() where !VariableDeclaration.memberNames.contains(member) {
            fail(member, "is not allowed (allowed members: \(VariableDeclaration.memberNames.joined(separator: ", ")))")
        }

        guard errors.count == errorCount, let type else { return nil }
        return VariableDeclaration(type: type, defaultValue: defaultValue, required: required, description: description)
    }

    /// Checks a parameter set's `values` against the declarations.
    ///
    /// Collects every problem, each at `basePointer/<name>` (e.g. `/values/threshold`), and throws
    /// ``ValidationFailed`` with all of them in name order: a name that is not declared, a value
    /// not of the declared type, a required variable without a default that is missing, and
    /// `null` for a required variable (with or without a default). `null` for an optional
    /// variable is accepted and means "no value".
    ///
    /// Returns the values to store: exactly `values`; defaults are NOT merged in here (see
    /// ``resolve(values:)``), so a later change of a default reaches stored parameter sets.
    public func validate(values: [String: JSONValue], at basePointer: String = "/values") throws(ValidationFailed) -> [String: JSONValue] {
        var errors: [FieldError] = []
        let names = Set(values.keys).union(declarations.keys).sorted()
        for name in names {
            let pointer = JSONPointer.appending(name, to: basePointer)
            guard let declaration = declarations[name] else {
                errors.append(FieldError(property: pointer, message: "is not a declared variable"))
                continue
            }
            switch values[name] {
            case nil:
                if declaration.required && declaration.defaultValue == nil {
                    errors.append(FieldError(property: pointer, message: "is required"))
                }
            case .null?:
                if declaration.required {
                    errors.append(FieldError(property: pointer, message: "is required and must not be null"))
                }
            case let value?:
                if !declaration.type.accepts(value) {
                    errors.append(FieldError(property: pointer, message: "must be of type \(declaration.type.rawValue), got \(value.typeName)"))
                }
            }
        }
        guard errors.isEmpty else { throw ValidationFailed(errors) }
        return values
    }

    /// The effective parameters of a run: every declared default, overlaid with `values` (a given
    /// value, including an explicit `null`, wins over the default). Variables with neither a
    /// default nor a value are absent. Expects `values` that passed ``validate(values:at:)``.
    public func resolve(values: [String: JSONValue]) -> [String: JSONValue] {
        var resolved = declarations.compactMapValues(\.defaultValue)
        resolved.merge(values) { _, given in given }
        return resolved
    }
}
