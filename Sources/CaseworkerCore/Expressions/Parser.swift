/// A recursive-descent parser from tokens to an `ExpressionNode` tree.
///
/// Grammar (loosest first; binary levels are left-associative, `?:` is right-associative):
///
///     expression     = or [ "?" expression ":" expression ]
///     or             = and { "||" and }
///     and            = equality { "&&" equality }
///     equality       = comparison { ("==" | "!=") comparison }
///     comparison     = additive { ("<" | "<=" | ">" | ">=" | "in") additive }
///     additive       = multiplicative { ("+" | "-") multiplicative }
///     multiplicative = unary { ("*" | "/" | "%") unary }
///     unary          = { "!" | "-" } postfix
///     postfix        = primary { "." name | "[" expression "]" }
///     primary        = number | string | "true" | "false" | "null" | identifier
///                    | function "(" [ expression { "," expression } ] ")"
///                    | "(" expression ")" | "[" [ expression { "," expression } ] "]"
///
/// Depth limit: every node adds one level to the depth of its deepest operand, and every nested
/// sub-expression (parentheses, brackets, arguments, branches of `?:`) is one level of parser
/// recursion; either exceeding `Expression.maximumDepth` is a parse error, so neither parsing nor
/// evaluating can exhaust the stack.
struct Parser {
    private let tokens: [Token]
    private var index = 0
    private let source: String
    private let inTemplate: Bool
    private var nesting = 0

    /// A parsed subtree and its depth.
    private struct Parsed {
        var node: ExpressionNode
        var depth: Int
    }

    /// - Parameters:
    ///   - tokens: what `Lexer.tokenize()` returned (ending with `.end`, or `.rightBrace` in a template).
    ///   - source: the text errors refer to.
    ///   - inTemplate: whether the expression is a `${…}` part of a template.
    init(tokens: [Token], source: String, inTemplate: Bool) {
        self.tokens = tokens
        self.source = source
        self.inTemplate = inTemplate
    }

    /// Parses the whole token list as one expression.
    mutating func parse() throws(ExpressionError) -> ExpressionNode {
        let parsed = try parseExpression()
        guard isTerminator(current) else {
            let expected = inTemplate ? "an operator or '}'" : "an operator or the end of the expression"
            throw error(at: current, "expected \(expected), found \(current.kind.display)")
        }
        return parsed.node
    }

    // MARK: - Tokens

    private var current: Token { tokens[index] }

    @discardableResult
    private mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    private func isTerminator(_ token: Token) -> Bool {
        token.kind == (inTemplate ? .rightBrace : .end)
    }

    private func error(at token: Token, _ reason: String) -> ExpressionError {
        ExpressionError(source: source, column: token.column, reason: reason)
    }

    /// `, found X` unless the offending token is the end of the expression.
    private func found(_ token: Token) -> String {
        isTerminator(token) ? "" : ", found \(token.kind.display)"
    }

    private func make(_ kind: ExpressionNode.Kind, column: Int, depth: Int) throws(ExpressionError) -> Parsed {
        guard depth <= Expression.maximumDepth else {
            throw ExpressionError(
                source: source, column: column,
                reason: "the expression is nested too deeply (at most \(Expression.maximumDepth) levels)")
        }
        return Parsed(node: ExpressionNode(kind, column: column), depth: depth)
    }

    // MARK: - Grammar

    private mutating func parseExpression() throws(ExpressionError) -> Parsed {
        nesting += 1
        defer { nesting -= 1 }
        guard nesting <= Expression.maximumDepth else {
            throw error(at: current, "the expression is nested too deeply (at most \(Expression.maximumDepth) levels)")
        }
        let condition = try parseBinary(level: Precedence.or)
        guard current.kind == .question else { return condition }
        let question = advance()
        let then = try parseExpression()
        guard current.kind == .colon else {
            throw error(at: current, "expected ':' to go with the '?' at column \(question.column)\(found(current))")
        }
        advance()
        let otherwise = try parseExpression()
        return try make(
            .conditional(condition.node, then.node, otherwise.node), column: question.column,
            depth: max(condition.depth, then.depth, otherwise.depth) + 1)
    }

    private mutating func parseBinary(level: Int) throws(ExpressionError) -> Parsed {
        guard level <= Precedence.multiplicative else { return try parseUnary() }
        var left = try parseBinary(level: level + 1)
        while let op = BinaryOperator(token: current.kind), op.precedence == level {
            let opToken = advance()
            let right = try parseBinary(level: level + 1)
            left = try make(
                .binary(op, left.node, right.node), column: opToken.column,
                depth: max(left.depth, right.depth) + 1)
        }
        return left
    }

    private mutating func parseUnary() throws(ExpressionError) -> Parsed {
        var operators: [(UnaryOperator, Token)] = []
        while true {
            if current.kind == .bang {
                operators.append((.not, advance()))
            } else if current.kind == .minus {
                operators.append((.negate, advance()))
            } else {
                break
            }
        }
        var result = try parsePostfix()
        for (op, token) in operators.reversed() {
            result = try make(.unary(op, result.node), column: token.column, depth: result.depth + 1)
        }
        return result
    }

    private mutating func parsePostfix() throws(ExpressionError) -> Parsed {
        var result = try parsePrimary()
        while true {
            switch current.kind {
            case .dot:
                let dot = advance()
                guard let name = current.kind.memberName else {
                    throw error(at: current, "expected a member name after '.'\(found(current))")
                }
                advance()
                result = try make(.member(result.node, name), column: dot.column, depth: result.depth + 1)
            case .leftBracket:
                let open = advance()
                let key = try parseExpression()
                guard current.kind == .rightBracket else {
                    throw error(at: current, "expected ']' to close the '[' at column \(open.column)\(found(current))")
                }
                advance()
                result = try make(
                    .index(result.node, key.node), column: open.column, depth: max(result.depth, key.depth) + 1)
            case .leftParen:
                throw error(at: current, "unexpected '(': only the built-in functions can be called, by name")
            default:
                return result
            }
        }
    }

    private mutating func parsePrimary() throws(ExpressionError) -> Parsed {
        let token = current
        switch token.kind {
        case .integer(let value):
            advance()
            return Parsed(node: ExpressionNode(.literal(.int(value)), column: token.column), depth: 1)
        case .decimal(let value):
            advance()
            return Parsed(node: ExpressionNode(.literal(.double(value)), column: token.column), depth: 1)
        case .string(let value):
            advance()
            return Parsed(node: ExpressionNode(.literal(.string(value)), column: token.column), depth: 1)
        case .trueKeyword, .falseKeyword, .nullKeyword:
            advance()
            let value: JSONValue = token.kind == .nullKeyword ? .null : .bool(token.kind == .trueKeyword)
            return Parsed(node: ExpressionNode(.literal(value), column: token.column), depth: 1)
        case .identifier(let name):
            advance()
            if current.kind == .leftParen { return try parseCall(name: token) }
            return Parsed(node: ExpressionNode(.identifier(name), column: token.column), depth: 1)
        case .leftParen:
            advance()
            let inner = try parseExpression()
            guard current.kind == .rightParen else {
                throw error(at: current, "expected ')' to close the '(' at column \(token.column)\(found(current))")
            }
            advance()
            return inner
        case .leftBracket:
            advance()
            let (elements, depth) = try parseList(
                closing: .rightBracket,
                unclosed: "expected ']' to close the array literal opened at column \(token.column)",
                separator: "in the array literal opened at column \(token.column)",
                closingText: "']'")
            return try make(.array(elements), column: token.column, depth: depth + 1)
        default:
            let previous = index > 0 ? tokens[index - 1].kind.display : (inTemplate ? "'${'" : nil)
            let after = previous.map { " after \($0)" } ?? ""
            throw error(at: token, "expected an expression\(after)\(found(token))")
        }
    }

    private mutating func parseCall(name: Token) throws(ExpressionError) -> Parsed {
        guard case .identifier(let functionName) = name.kind,
            let function = BuiltinFunction(rawValue: functionName)
        else {
            throw error(at: name, "unknown function \(name.kind.display)")
        }
        advance()  // (
        let (arguments, depth) = try parseList(
            closing: .rightParen,
            unclosed: "expected ')' to close the call to '\(functionName)'",
            separator: "in the call to '\(functionName)'",
            closingText: "')'")
        if let problem = function.arityProblem(argumentCount: arguments.count) {
            throw error(at: name, problem)
        }
        return try make(.call(function, arguments), column: name.column, depth: depth + 1)
    }

    /// Parses comma-separated expressions up to and including `closing`, having read the opener.
    /// Returns the nodes and the greatest depth among them (0 for an empty list).
    private mutating func parseList(
        closing: TokenKind, unclosed: String, separator: String, closingText: String
    ) throws(ExpressionError) -> ([ExpressionNode], Int) {
        var nodes: [ExpressionNode] = []
        var depth = 0
        if current.kind == closing {
            advance()
            return (nodes, depth)
        }
        if isTerminator(current) { throw error(at: current, unclosed) }
        while true {
            let element = try parseExpression()
            nodes.append(element.node)
            depth = max(depth, element.depth)
            if current.kind == .comma {
                advance()
                continue
            }
            if current.kind == closing {
                advance()
                return (nodes, depth)
            }
            if isTerminator(current) { throw error(at: current, unclosed) }
            throw error(at: current, "expected ',' or \(closingText) \(separator)\(found(current))")
        }
    }
}
