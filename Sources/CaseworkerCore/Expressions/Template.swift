/// A string config value with zero or more `${expr}` parts.
///
/// Syntax: `${` opens an expression that ends at the first `}` outside a string literal (the
/// expression grammar has no braces, so nothing nests). `$${` is a literal `${`; any other `$`
/// is literal text. An unterminated `${` is a parse error at the column of its `$`. Errors from
/// a template (parse or evaluation) carry the whole template as `source` and columns counted
/// from its start.
///
/// Evaluation: a template that is exactly one `${expr}`, with nothing around it, evaluates to the
/// expression's JSON value (a number, an object, …). Otherwise the result is a string: text as
/// written, each expression's value interpolated as text — strings as is, numbers and booleans
/// as JSON text (`2.0` as `2`), `null` as the empty string, arrays and objects as compact JSON
/// with sorted keys. A template without `${` evaluates to its text (with `$${` unescaped).
///
/// Note: because of the `$${` escape, a literal `$` cannot directly precede an interpolation;
/// write `${'$'}${amount}` or `${'$' + string(amount)}`.
///
/// Equality compares the parsed parts (text and expression trees), not the spelling.
public struct Template: Sendable, Hashable, CustomStringConvertible {
    enum Part: Sendable, Hashable {
        case text(String)
        case expression(Expression)
    }

    let parts: [Part]
    /// The template text as written.
    public let source: String

    /// Parses `source`. Each embedded expression is limited to `Expression.maximumLength`
    /// characters and `Expression.maximumDepth` levels; the text around them is not limited.
    ///
    /// - Throws: `ExpressionError` for the first syntax error, with `source` the whole template.
    public init(parsing source: String) throws(ExpressionError) {
        let text = SourceText(source)
        let scalars = text.scalars
        var parts: [Part] = []
        var literal = String.UnicodeScalarView()
        var position = 0
        while position < scalars.count {
            let scalar = scalars[position]
            if scalar == "$", position + 1 < scalars.count {
                if scalars[position + 1] == "{" {
                    if !literal.isEmpty {
                        parts.append(.text(String(literal)))
                        literal = String.UnicodeScalarView()
                    }
                    var lexer = Lexer(text: text, start: position + 2, templateOpen: position)
                    var parser = Parser(tokens: try lexer.tokenize(), source: source, inTemplate: true)
                    parts.append(.expression(Expression(root: try parser.parse(), source: source)))
                    position = lexer.position
                    continue
                }
                if scalars[position + 1] == "$", position + 2 < scalars.count, scalars[position + 2] == "{" {
                    literal.append("$")
                    literal.append("{")
                    position += 3
                    continue
                }
            }
            literal.append(scalar)
            position += 1
        }
        if !literal.isEmpty { parts.append(.text(String(literal))) }
        self.parts = parts
        self.source = source
    }

    /// Whether the template has no `${…}` part (it always evaluates to the same string).
    public var isConstant: Bool { expressions.isEmpty }

    /// The text a constant template evaluates to (`$${` unescaped); `nil` if it has expressions.
    public var constantText: String? {
        switch parts.count {
        case 0: ""
        case 1: if case .text(let text) = parts[0] { text } else { nil }
        default: nil
        }
    }

    /// The expression when the template is exactly one `${expr}` and nothing else, else `nil`.
    public var singleExpression: Expression? {
        guard parts.count == 1, case .expression(let expression) = parts[0] else { return nil }
        return expression
    }

    /// The `${…}` expressions, in order.
    public var expressions: [Expression] {
        parts.compactMap { part in
            if case .expression(let expression) = part { expression } else { nil }
        }
    }

    /// The union of the expressions' `rootIdentifiers`.
    public var rootIdentifiers: Set<String> {
        expressions.reduce(into: []) { $0.formUnion($1.rootIdentifiers) }
    }

    /// The union of the expressions' `referencedStepIds`.
    public var referencedStepIds: Set<String> {
        expressions.reduce(into: []) { $0.formUnion($1.referencedStepIds) }
    }

    /// Evaluates the template as described in the type's documentation, within the bounds of
    /// `context.limits` (the text is never built past `maxBytes`).
    ///
    /// - Throws: the first `ExpressionError` an expression throws, or one for a bound passed.
    public func evaluate(in context: EvaluationContext) throws(ExpressionError) -> JSONValue {
        var meter = EvaluationMeter(limits: context.limits)
        let value = try evaluate(in: context, meter: &meter)
        if let error = meter.resultError(value, source: source) { throw error }
        return value
    }

    /// Evaluates the template with the budget left in `meter` (its result is not checked).
    func evaluate(in context: EvaluationContext, meter: inout EvaluationMeter) throws(ExpressionError) -> JSONValue {
        if parts.count == 1, case .expression(let expression) = parts[0] {
            return try expression.evaluate(in: context, meter: &meter)
        }
        var out = ""
        for part in parts {
            switch part {
            case .text(let text): out += text
            case .expression(let expression):
                let value = try expression.evaluate(in: context, meter: &meter)
                let added =
                    if case .string(let text) = value { text.utf8.count } else { ValueLimits.size(of: value, upTo: meter.limits.maxBytes).bytes }
                guard out.utf8.count + added <= meter.limits.maxBytes else {
                    throw ExpressionError(
                        source: source, column: 1,
                        reason: "the text would be larger than \(ValueLimits.bytesText(meter.limits.maxBytes)) (limits.maxValueBytes)",
                        kind: .valueTooLarge)
                }
                ExpressionText.appendInterpolation(of: value, to: &out)
            }
        }
        return .string(out)
    }

    /// The template text as written.
    public var description: String { source }

    /// Whether the two templates have the same text parts and expression trees.
    public static func == (lhs: Template, rhs: Template) -> Bool { lhs.parts == rhs.parts }

    /// Hashes the parsed parts, consistently with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(parts) }
}
