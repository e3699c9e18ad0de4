/// One lexical unit of an expression and the 1-based column (in `Character`s) where it starts.
struct Token: Sendable {
    var kind: TokenKind
    var column: Int
}

/// The kinds of tokens the lexer produces.
enum TokenKind: Sendable, Equatable {
    case integer(Int)
    case decimal(Double)
    case string(String)
    case identifier(String)
    case trueKeyword, falseKeyword, nullKeyword, inKeyword
    case leftParen, rightParen, leftBracket, rightBracket, rightBrace
    case comma, dot, question, colon
    case equalEqual, bangEqual, less, lessEqual, greater, greaterEqual
    case ampAmp, pipePipe, bang, plus, minus, star, slash, percent
    /// The end of the source text (never produced inside a template, which ends at `}`).
    case end

    /// How the token is named in error messages, e.g. `'>='` or `a string literal`.
    var display: String {
        switch self {
        case .integer(let value): "'\(value)'"
        case .decimal(let value): "'\(value)'"
        case .string: "a string literal"
        case .identifier(let name): "'\(name)'"
        case .trueKeyword: "'true'"
        case .falseKeyword: "'false'"
        case .nullKeyword: "'null'"
        case .inKeyword: "'in'"
        case .leftParen: "'('"
        case .rightParen: "')'"
        case .leftBracket: "'['"
        case .rightBracket: "']'"
        case .rightBrace: "'}'"
        case .comma: "','"
        case .dot: "'.'"
        case .question: "'?'"
        case .colon: "':'"
        case .equalEqual: "'=='"
        case .bangEqual: "'!='"
        case .less: "'<'"
        case .lessEqual: "'<='"
        case .greater: "'>'"
        case .greaterEqual: "'>='"
        case .ampAmp: "'&&'"
        case .pipePipe: "'||'"
        case .bang: "'!'"
        case .plus: "'+'"
        case .minus: "'-'"
        case .star: "'*'"
        case .slash: "'/'"
        case .percent: "'%'"
        case .end: "the end of the expression"
        }
    }

    /// The name a member access may use after `.`: identifiers and the keywords.
    var memberName: String? {
        switch self {
        case .identifier(let name): name
        case .trueKeyword: "true"
        case .falseKeyword: "false"
        case .nullKeyword: "null"
        case .inKeyword: "in"
        default: nil
        }
    }
}
