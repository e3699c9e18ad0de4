/// Source text prepared for lexing: its Unicode scalars, and for each scalar the 1-based column
/// (in `Character`s) of the character it belongs to.
///
/// Lexing works on scalars so that a structural character (a quote, `$`, `{`) can never be
/// merged into a grapheme cluster with a neighbour, while error columns stay in `Character`s.
struct SourceText: Sendable {
    let text: String
    let scalars: [Unicode.Scalar]
    /// `columns[i]` is the column of `scalars[i]`; `columns[scalars.count]` is one past the end.
    let columns: [Int]

    init(_ text: String) {
        self.text = text
        var scalars: [Unicode.Scalar] = []
        var columns: [Int] = []
        scalars.reserveCapacity(text.unicodeScalars.count)
        columns.reserveCapacity(text.unicodeScalars.count + 1)
        var column = 1
        for character in text {
            for scalar in character.unicodeScalars {
                scalars.append(scalar)
                columns.append(column)
            }
            column += 1
        }
        columns.append(column)
        self.scalars = scalars
        self.columns = columns
    }

    /// The number of `Character`s in the text.
    var characterCount: Int { columns[scalars.count] - 1 }

    func error(atScalar index: Int, _ reason: String) -> ExpressionError {
        ExpressionError(source: text, column: columns[min(index, scalars.count)], reason: reason)
    }
}
