/// A node of a parsed expression's syntax tree.
///
/// `column` is where the node's token is in the source (the operator of a binary or unary node,
/// the `?` of a conditional, the name of a call, the `.` or `[` of an access, the first token of a
/// literal); evaluation errors are reported there. Equality and hashing ignore columns, so two
/// trees are equal when they have the same shape, whatever their spacing or parentheses.
struct ExpressionNode: Sendable, Hashable {
    var kind: Kind
    var column: Int

    indirect enum Kind: Sendable, Hashable {
        /// A `null`, boolean, number or string literal (number literals are never negative:
        /// `-1` is a negation of `1`).
        case literal(JSONValue)
        /// An array literal `[a, b]`.
        case array([ExpressionNode])
        /// A root identifier, e.g. `steps`.
        case identifier(String)
        /// `base.name`.
        case member(ExpressionNode, String)
        /// `base[index]`.
        case index(ExpressionNode, ExpressionNode)
        /// `name(arguments)`.
        case call(BuiltinFunction, [ExpressionNode])
        case unary(UnaryOperator, ExpressionNode)
        case binary(BinaryOperator, ExpressionNode, ExpressionNode)
        /// `condition ? then : else`.
        case conditional(ExpressionNode, ExpressionNode, ExpressionNode)
    }

    init(_ kind: Kind, column: Int) {
        self.kind = kind
        self.column = column
    }

    static func == (lhs: ExpressionNode, rhs: ExpressionNode) -> Bool { lhs.kind == rhs.kind }

    func hash(into hasher: inout Hasher) { hasher.combine(kind) }

    /// The binding strength of the node when printed (see `Precedence`).
    var precedence: Int {
        switch kind {
        case .literal, .array, .identifier, .call: Precedence.primary
        case .member, .index: Precedence.postfix
        case .unary: Precedence.unary
        case .binary(let op, _, _): op.precedence
        case .conditional: Precedence.conditional
        }
    }

    /// Calls `body` on this node and every node below it, parents first.
    func forEachNode(_ body: (ExpressionNode) -> Void) {
        body(self)
        switch kind {
        case .literal, .identifier: break
        case .array(let elements): for element in elements { element.forEachNode(body) }
        case .member(let base, _): base.forEachNode(body)
        case .index(let base, let index):
            base.forEachNode(body)
            index.forEachNode(body)
        case .call(_, let arguments): for argument in arguments { argument.forEachNode(body) }
        case .unary(_, let operand): operand.forEachNode(body)
        case .binary(_, let left, let right):
            left.forEachNode(body)
            right.forEachNode(body)
        case .conditional(let condition, let then, let otherwise):
            condition.forEachNode(body)
            then.forEachNode(body)
            otherwise.forEachNode(body)
        }
    }
}

/// Binding strengths, loosest first.
enum Precedence {
    static let conditional = 1
    static let or = 2
    static let and = 3
    static let equality = 4
    static let comparison = 5
    static let additive = 6
    static let multiplicative = 7
    static let unary = 8
    static let postfix = 9
    static let primary = 10
}

/// The prefix operators.
enum UnaryOperator: String, Sendable, Hashable, CaseIterable {
    case not = "!"
    case negate = "-"
}

/// The infix operators; `rawValue` is their spelling.
enum BinaryOperator: String, Sendable, Hashable, CaseIterable {
    case or = "||"
    case and = "&&"
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessEqual = "<="
    case greater = ">"
    case greaterEqual = ">="
    case `in` = "in"
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"
    case remainder = "%"

    var precedence: Int {
        switch self {
        case .or: Precedence.or
        case .and: Precedence.and
        case .equal, .notEqual: Precedence.equality
        case .less, .lessEqual, .greater, .greaterEqual, .in: Precedence.comparison
        case .add, .subtract: Precedence.additive
        case .multiply, .divide, .remainder: Precedence.multiplicative
        }
    }

    /// The operator a token stands for between two operands, if any.
    init?(token: TokenKind) {
        switch token {
        case .pipePipe: self = .or
        case .ampAmp: self = .and
        case .equalEqual: self = .equal
        case .bangEqual: self = .notEqual
        case .less: self = .less
        case .lessEqual: self = .lessEqual
        case .greater: self = .greater
        case .greaterEqual: self = .greaterEqual
        case .inKeyword: self = .in
        case .plus: self = .add
        case .minus: self = .subtract
        case .star: self = .multiply
        case .slash: self = .divide
        case .percent: self = .remainder
        default: return nil
        }
    }
}
