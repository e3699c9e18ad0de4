/// Turns expression text into tokens.
///
/// A standalone expression is lexed to the end of its text and ends with an `.end` token. Inside
/// a template (`templateOpen` set to the index of the `$` of `${`), lexing stops after the first
/// `}` outside a string literal, which becomes the last token; reaching the end of the text
/// first is an "unterminated '${'" error at the column of the `$`.
struct Lexer {
    let text: SourceText
    /// The scalar index just after the last token read (after the `}` in a template).
    private(set) var position: Int
    private let start: Int
    private let templateOpen: Int?

    init(text: SourceText, start: Int = 0, templateOpen: Int? = nil) {
        self.text = text
        self.position = start
        self.start = start
        self.templateOpen = templateOpen
    }

    private var scalars: [Unicode.Scalar] { text.scalars }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        let index = position + offset
        return index < scalars.count ? scalars[index] : nil
    }

    mutating func tokenize() throws(ExpressionError) -> [Token] {
        var tokens: [Token] = []
        while true {
            while let scalar = peek(), scalar.properties.isWhitespace { position += 1 }
            if let open = templateOpen, text.columns[position] - text.columns[start] > Expression.maximumLength {
                throw text.error(atScalar: open, "the expression is longer than \(Expression.maximumLength) characters")
            }
            guard let scalar = peek() else {
                if let open = templateOpen {
                    throw text.error(atScalar: open, "unterminated '${': expected '}' to close it")
                }
                tokens.append(Token(kind: .end, column: text.columns[position]))
                return tokens
            }
            let column = text.columns[position]
            let kind = try readToken(startingWith: scalar)
            tokens.append(Token(kind: kind, column: column))
            if kind == .rightBrace, templateOpen != nil { return tokens }
        }
    }

    private mutating func readToken(startingWith scalar: Unicode.Scalar) throws(ExpressionError) -> TokenKind {
        if scalar.isASCIIDigit { return try readNumber() }
        if scalar.isIdentifierStart { return readIdentifier() }
        if scalar == "\"" || scalar == "'" { return try readString(quote: scalar) }
        let at = position
        let next = peek(1)
        position += 1
        switch scalar {
        case "(": return .leftParen
        case ")": return .rightParen
        case "[": return .leftBracket
        case "]": return .rightBracket
        case "}": return .rightBrace
        case ",": return .comma
        case ".": return .dot
        case "?": return .question
        case ":": return .colon
        case "+": return .plus
        case "-": return .minus
        case "*": return .star
        case "/": return .slash
        case "%": return .percent
        case "=":
            guard next == "=" else { throw text.error(atScalar: at, "unexpected '='; did you mean '=='?") }
            position += 1
            return .equalEqual
        case "!":
            if next == "=" { position += 1; return .bangEqual }
            return .bang
        case "<":
            if next == "=" { position += 1; return .lessEqual }
            return .less
        case ">":
            if next == "=" { position += 1; return .greaterEqual }
            return .greater
        case "&":
            guard next == "&" else { throw text.error(atScalar: at, "unexpected '&'; did you mean '&&'?") }
            position += 1
            return .ampAmp
        case "|":
            guard next == "|" else { throw text.error(atScalar: at, "unexpected '|'; did you mean '||'?") }
            position += 1
            return .pipePipe
        case "$" where next == "{":
            throw text.error(
                atScalar: at,
                templateOpen == nil
                    ? "unexpected '${': write the expression itself, without '${' and '}'"
                    : "unexpected '${' inside an expression")
        default:
            throw text.error(atScalar: at, "unexpected character '\(scalar.escaped(asASCII: false))'")
        }
    }

    private mutating func readIdentifier() -> TokenKind {
        let begin = position
        while let scalar = peek(), scalar.isIdentifierPart { position += 1 }
        var name = ""
        name.unicodeScalars.append(contentsOf: scalars[begin..<position])
        switch name {
        case "true": return .trueKeyword
        case "false": return .falseKeyword
        case "null": return .nullKeyword
        case "in": return .inKeyword
        default: return .identifier(name)
        }
    }

    private mutating func readNumber() throws(ExpressionError) -> TokenKind {
        let begin = position
        var isDecimal = false
        while let scalar = peek(), scalar.isASCIIDigit { position += 1 }
        if peek() == ".", let digit = peek(1), digit.isASCIIDigit {
            isDecimal = true
            position += 1
            while let scalar = peek(), scalar.isASCIIDigit { position += 1 }
        }
        if peek() == "e" || peek() == "E" {
            var offset = 1
            if peek(offset) == "+" || peek(offset) == "-" { offset += 1 }
            guard let digit = peek(offset), digit.isASCIIDigit else {
                throw text.error(atScalar: position, "expected digits in the exponent of the number")
            }
            isDecimal = true
            position += offset
            while let scalar = peek(), scalar.isASCIIDigit { position += 1 }
        }
        if let scalar = peek(), scalar.isIdentifierPart {
            throw text.error(atScalar: position, "unexpected character '\(scalar)' after a number")
        }
        var literal = ""
        literal.unicodeScalars.append(contentsOf: scalars[begin..<position])
        if isDecimal {
            guard let value = Double(literal), value.isFinite else {
                throw text.error(atScalar: begin, "the number \(literal) is out of range")
            }
            return .decimal(value)
        }
        guard let value = Int(literal) else {
            throw text.error(atScalar: begin, "the integer \(literal) is too large (the maximum is \(Int.max))")
        }
        return .integer(value)
    }

    private mutating func readString(quote: Unicode.Scalar) throws(ExpressionError) -> TokenKind {
        let open = position
        position += 1
        var value = String.UnicodeScalarView()
        while true {
            guard let scalar = peek() else { throw text.error(atScalar: open, "unterminated string literal") }
            if scalar == quote {
                position += 1
                return .string(String(value))
            }
            guard scalar == "\\" else {
                value.append(scalar)
                position += 1
                continue
            }
            guard let escape = peek(1) else { throw text.error(atScalar: open, "unterminated string literal") }
            switch escape {
            case "\"", "'", "\\", "/": value.append(escape)
            case "n": value.append("\n")
            case "t": value.append("\t")
            case "r": value.append("\r")
            case "b": value.append("\u{08}")
            case "f": value.append("\u{0C}")
            case "u":
                value.append(try readUnicodeEscape())
                continue
            default:
                throw text.error(
                    atScalar: position, "unknown escape '\\\(escape.escaped(asASCII: false))' in a string literal")
            }
            position += 2
        }
    }

    /// Reads `\uXXXX` (or a surrogate pair `\uD83D\uDE00`) at `position`, moving past it.
    private mutating func readUnicodeEscape() throws(ExpressionError) -> Unicode.Scalar {
        let escapeStart = position
        let high = try readHexQuad()
        if (0xD800...0xDBFF).contains(high) {
            guard peek() == "\\", peek(1) == "u" else {
                throw text.error(atScalar: escapeStart, "unpaired surrogate in a '\\u' escape")
            }
            let low = try readHexQuad()
            guard (0xDC00...0xDFFF).contains(low) else {
                throw text.error(atScalar: escapeStart, "unpaired surrogate in a '\\u' escape")
            }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!
        }
        guard let scalar = Unicode.Scalar(high) else {
            throw text.error(atScalar: escapeStart, "unpaired surrogate in a '\\u' escape")
        }
        return scalar
    }

    /// Reads `\uXXXX` at `position` (which is at the backslash) and returns the code unit.
    private mutating func readHexQuad() throws(ExpressionError) -> UInt32 {
        var result: UInt32 = 0
        for offset in 2..<6 {
            guard let digit = peek(offset)?.hexDigitValue else {
                throw text.error(atScalar: position, "expected 4 hexadecimal digits after '\\u'")
            }
            result = result << 4 | digit
        }
        position += 6
        return result
    }
}

extension Unicode.Scalar {
    var isASCIIDigit: Bool { value >= 0x30 && value <= 0x39 }
    var isIdentifierStart: Bool {
        (value >= 0x41 && value <= 0x5A) || (value >= 0x61 && value <= 0x7A) || value == 0x5F
    }
    var isIdentifierPart: Bool { isIdentifierStart || isASCIIDigit }
    var hexDigitValue: UInt32? {
        switch value {
        case 0x30...0x39: value - 0x30
        case 0x41...0x46: value - 0x41 + 10
        case 0x61...0x66: value - 0x61 + 10
        default: nil
        }
    }
}
