/// A syntax error found while parsing an expression or template, or a failure while evaluating one.
///
/// `column` is 1-based and counted in `Character`s of `source`. For an expression inside a
/// template, `source` is the whole template string and `column` counts from its start, so the
/// position is the same one a user sees in their configuration value.
///
/// Parse errors point at the offending token (the end of the text is column `count + 1`) and
/// say what was expected; evaluation errors point at the operator or function call that failed
/// and name the JSON types involved.
public struct ExpressionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The whole template or expression text the error refers to.
    public var source: String
    /// The 1-based position, in `Character`s of `source`, where the problem is.
    public var column: Int
    /// What is wrong, e.g. `expected ')' to close the call to 'len'`.
    public var reason: String
    /// Which kind of failure: most are `.invalid`; the others passed a bound (`ValueLimits`).
    public var kind: Kind

    /// What failed, which decides the step outcome code (`code`).
    public enum Kind: Sendable, Hashable {
        /// A syntax error, a type error, a division by zero, an overflow, …
        case invalid
        /// The result would be nested deeper than `ValueLimits.maxDepth`.
        case valueTooDeep
        /// The result would be larger than `ValueLimits.maxBytes`.
        case valueTooLarge
        /// The evaluation did more work than `ValueLimits.evaluationBudget`.
        case budgetExceeded
    }

    /// Creates an error for `source` at the 1-based `column` with the given `reason`.
    public init(source: String, column: Int, reason: String, kind: Kind = .invalid) {
        self.source = source
        self.column = column
        self.reason = reason
        self.kind = kind
    }

    /// The code a step ends `KO` with: `expression_error`, `value_too_deep`, `value_too_large` or
    /// `expression_budget_exceeded`.
    public var code: String {
        switch kind {
        case .invalid: "expression_error"
        case .valueTooDeep: "value_too_deep"
        case .valueTooLarge: "value_too_large"
        case .budgetExceeded: "expression_budget_exceeded"
        }
    }

    /// `<source> at column <n>: <reason>`, e.g. `${a >= } at column 8: expected an expression
    /// after '>='`. A source longer than 120 characters is shown as an excerpt of about 100
    /// characters around the column, with `…` marking the cut ends; the column still counts from
    /// the start of the whole source.
    public var description: String {
        "\(Self.excerpt(of: source, around: column)) at column \(column): \(reason)"
    }

    static func excerpt(of source: String, around column: Int) -> String {
        guard source.count > 120 else { return source }
        let characters = Array(source)
        let start = max(0, min(column - 1 - 50, characters.count - 100))
        let end = min(characters.count, start + 100)
        return (start > 0 ? "…" : "") + String(characters[start..<end]) + (end < characters.count ? "…" : "")
    }
}
