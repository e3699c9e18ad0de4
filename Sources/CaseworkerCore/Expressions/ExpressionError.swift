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

    /// Creates an error for `source` at the 1-based `column` with the given `reason`.
    public init(source: String, column: Int, reason: String) {
        self.source = source
        self.column = column
        self.reason = reason
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
