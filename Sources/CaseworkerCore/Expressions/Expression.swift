/// One parsed expression of the template language (see `Evaluator` for the language reference).
///
/// Parse once, when a configuration is saved, and evaluate many times. Two expressions are equal
/// when their syntax trees are equal, whatever their spacing, redundant parentheses or literal
/// spelling (`1e2` and `100.0` are the same literal); `description` prints the canonical source,
/// and `Expression(parsing: e.description) == e` always holds.
public struct Expression: Sendable, Hashable, CustomStringConvertible {
    /// The deepest nesting a parsed expression may have; deeper input is a parse error.
    public static let maximumDepth = 64
    /// The most characters an expression may have; longer input is a parse error.
    public static let maximumLength = 8192

    let root: ExpressionNode
    /// The text errors refer to: the expression's own source, or the whole enclosing template.
    let source: String

    /// Parses `source` as a single expression (without `${` and `}`).
    ///
    /// - Throws: `ExpressionError` with the column of the offending token and what was expected;
    ///   also for an unknown function, a wrong number of arguments, more than `maximumLength`
    ///   characters or more than `maximumDepth` levels of nesting.
    public init(parsing source: String) throws(ExpressionError) {
        let text = SourceText(source)
        guard text.characterCount <= Self.maximumLength else {
            throw ExpressionError(
                source: source, column: Self.maximumLength + 1,
                reason: "the expression is longer than \(Self.maximumLength) characters")
        }
        var lexer = Lexer(text: text)
        var parser = Parser(tokens: try lexer.tokenize(), source: source, inTemplate: false)
        self.init(root: try parser.parse(), source: source)
    }

    init(root: ExpressionNode, source: String) {
        self.root = root
        self.source = source
    }

    /// Evaluates the expression against `context`. Deterministic: reads no clock and no state
    /// besides `context`. A missing path is `null`, never an error.
    ///
    /// - Throws: `ExpressionError` for a type error, division by zero or overflow, located at the
    ///   failing operator or function call; or for a bound of `context.limits` passed (see
    ///   `Evaluator`, "Limits").
    public func evaluate(in context: EvaluationContext) throws(ExpressionError) -> JSONValue {
        var meter = EvaluationMeter(limits: context.limits)
        let value = try evaluate(in: context, meter: &meter)
        if let error = meter.resultError(value, source: source) { throw error }
        return value
    }

    /// Evaluates the expression with the budget left in `meter` (its result is not checked).
    func evaluate(in context: EvaluationContext, meter: inout EvaluationMeter) throws(ExpressionError) -> JSONValue {
        var evaluator = Evaluator(variables: context.variables, nowText: context.nowText, source: source, meter: meter)
        defer { meter = evaluator.meter }
        return try evaluator.evaluate(root)
    }

    /// The canonical source text (see the type's documentation).
    public var description: String { ExpressionPrinter.print(root) }

    /// The root identifiers the expression reads, e.g. `["steps", "params"]` for
    /// `steps.verify.output.score >= params.threshold`; function names are not included.
    public var rootIdentifiers: Set<String> {
        var names: Set<String> = []
        root.forEachNode { node in
            if case .identifier(let name) = node.kind { names.insert(name) }
        }
        return names
    }

    /// The step ids read as `steps.<id>` or `steps["<id>"]`. An id computed at run time
    /// (`steps[x]`) cannot be known and is not included.
    public var referencedStepIds: Set<String> {
        var ids: Set<String> = []
        root.forEachNode { node in
            switch node.kind {
            case .member(let base, let id) where base.kind == .identifier("steps"):
                ids.insert(id)
            case .index(let base, let key) where base.kind == .identifier("steps"):
                if case .literal(.string(let id)) = key.kind { ids.insert(id) }
            default:
                break
            }
        }
        return ids
    }

    /// Whether the two expressions have the same syntax tree (spelling and positions ignored).
    public static func == (lhs: Expression, rhs: Expression) -> Bool { lhs.root == rhs.root }

    /// Hashes the syntax tree, consistently with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(root) }
}
