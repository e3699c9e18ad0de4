/// A JSON config tree whose strings are parsed templates: a step's `config`, `output` or
/// `transform.set`. Parse it when the configuration is saved; evaluate it on every run.
///
/// Subtrees without any `${…}` are kept as `.constant` and returned as is (their strings with
/// `$${` already unescaped); only the parts with expressions are rebuilt on evaluation.
public indirect enum TemplatedValue: Sendable, Hashable {
    /// A subtree without expressions: it evaluates to this value.
    case constant(JSONValue)
    /// A string with at least one `${…}` part.
    case template(Template)
    /// An array with at least one template inside.
    case array([TemplatedValue])
    /// An object with at least one template inside (keys are never templates).
    case object([String: TemplatedValue])

    /// Parses every string in `value` as a `Template`.
    ///
    /// - Parameter basePointer: the JSON pointer of `value` in the request body, e.g.
    ///   `/steps/2/config`; errors are reported at `basePointer` plus the path into `value`.
    /// - Throws: `ValidationFailed` with one `FieldError` per invalid string (all of them, object
    ///   members in sorted key order), whose message is the `ExpressionError` description.
    public init(parsing value: JSONValue, at basePointer: String) throws(ValidationFailed) {
        var errors: [FieldError] = []
        let parsed = Self.parse(value, at: basePointer, errors: &errors)
        guard errors.isEmpty else { throw ValidationFailed(errors) }
        self = parsed
    }

    private static func parse(_ value: JSONValue, at pointer: String, errors: inout [FieldError]) -> TemplatedValue {
        switch value {
        case .string(let source):
            do throws(ExpressionError) {
                let template = try Template(parsing: source)
                if let text = template.constantText { return .constant(.string(text)) }
                return .template(template)
            } catch {
                errors.append(FieldError(property: pointer, message: error.description))
                return .constant(.null)
            }
        case .array(let elements):
            let parsed = elements.enumerated().map { position, element in
                parse(element, at: JSONPointer.appending(position, to: pointer), errors: &errors)
            }
            let constants = parsed.compactMap(\.constantValue)
            return constants.count == parsed.count ? .constant(.array(constants)) : .array(parsed)
        case .object(let members):
            var parsed: [String: TemplatedValue] = [:]
            var constants: [String: JSONValue] = [:]
            for key in members.keys.sorted() {
                let member = parse(members[key]!, at: JSONPointer.appending(key, to: pointer), errors: &errors)
                parsed[key] = member
                if let constant = member.constantValue { constants[key] = constant }
            }
            return constants.count == parsed.count ? .constant(.object(constants)) : .object(parsed)
        default:
            return .constant(value)
        }
    }

    private var constantValue: JSONValue? {
        if case .constant(let value) = self { value } else { nil }
    }

    /// Whether the tree has no `${…}` anywhere (it always evaluates to the same value).
    public var isConstant: Bool { constantValue != nil }

    /// The union of the `rootIdentifiers` of every expression in the tree.
    public var rootIdentifiers: Set<String> {
        templates.reduce(into: []) { $0.formUnion($1.rootIdentifiers) }
    }

    /// The union of the `referencedStepIds` of every expression in the tree.
    public var referencedStepIds: Set<String> {
        templates.reduce(into: []) { $0.formUnion($1.referencedStepIds) }
    }

    /// Every template in the tree (object members in sorted key order).
    public var templates: [Template] {
        switch self {
        case .constant: []
        case .template(let template): [template]
        case .array(let elements): elements.flatMap(\.templates)
        case .object(let members): members.keys.sorted().flatMap { members[$0]!.templates }
        }
    }

    /// The JSON value with every template evaluated (see `Template.evaluate(in:)`), all of them
    /// within one budget of `context.limits`, each template's result checked against its bounds.
    /// The tree as a whole is not measured: its users check what they store (`ValueLimits`).
    ///
    /// - Throws: the first `ExpressionError` (array order, then sorted object keys).
    public func evaluate(in context: EvaluationContext) throws(ExpressionError) -> JSONValue {
        var meter = EvaluationMeter(limits: context.limits)
        return try evaluate(in: context, meter: &meter)
    }

    private func evaluate(in context: EvaluationContext, meter: inout EvaluationMeter) throws(ExpressionError) -> JSONValue {
        switch self {
        case .constant(let value):
            return value
        case .template(let template):
            let value = try template.evaluate(in: context, meter: &meter)
            if let error = meter.resultError(value, source: template.source) { throw error }
            return value
        case .array(let elements):
            var values: [JSONValue] = []
            values.reserveCapacity(elements.count)
            for element in elements { values.append(try element.evaluate(in: context, meter: &meter)) }
            return .array(values)
        case .object(let members):
            var values: [String: JSONValue] = [:]
            values.reserveCapacity(members.count)
            for key in members.keys.sorted() { values[key] = try members[key]!.evaluate(in: context, meter: &meter) }
            return .object(values)
        }
    }
}
