import CaseworkerTestSupport
import Testing

@testable import CaseworkerCore

/// Property-style tests: many random cases from fixed seeds, so every run checks the same cases.
@Suite("Expression properties")
struct ExpressionPropertyTests {
    // MARK: - Round trip: description re-parses to an equal tree

    @Test(arguments: [UInt64(1), 2, 3, 42, 2026])
    func printedTreesParseBackEqual(seed: UInt64) throws {
        var generator = TreeGenerator(rng: SplitMix64(seed: seed))
        for _ in 0..<100 {
            let tree = generator.node(depth: 6)
            let expression = Expression(root: tree, source: "")
            let text = expression.description
            let reparsed = try Expression(parsing: text)
            #expect(reparsed == expression, "\(text)")
            #expect(reparsed.description == text)
            // Inside a template too (string literals may hold `}` and `${`).
            let template = try Template(parsing: "${\(text)}")
            #expect(template.singleExpression == expression, "\(text)")
        }
    }

    // MARK: - Precedence: the parser agrees with an independent shunting-yard evaluator

    @Test(arguments: [UInt64(7), 8, 9, 10])
    func arithmeticMatchesReference(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        for _ in 0..<100 {
            var tokens: [ReferenceToken] = []
            appendArithmetic(to: &tokens, depth: 3, rng: &rng)
            let text = render(tokens, rng: &rng)
            let expected = ReferenceEvaluator.evaluate(tokens)
            do throws(ExpressionError) {
                let value = try Expression(parsing: text).evaluate(in: sampleContext([:]))
                #expect(expected == .value(value), "\(text)")
            } catch {
                #expect(expected == .failure(error.reason), "\(text)")
            }
        }
    }

    @Test(arguments: [UInt64(11), 12, 13])
    func logicMatchesReference(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        for _ in 0..<100 {
            var tokens: [ReferenceToken] = []
            appendLogic(to: &tokens, depth: 3, rng: &rng)
            let text = render(tokens, rng: &rng)
            let expected = ReferenceEvaluator.evaluateLogic(tokens)
            #expect(try Expression(parsing: text).evaluate(in: sampleContext([:])) == .bool(expected), "\(text)")
        }
    }

    // MARK: - Ordering: mismatched types always throw, matching types never do

    @Test(arguments: [UInt64(21), 22, 23])
    func orderingTypeRules(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let operators = ["<", "<=", ">", ">="]
        for _ in 0..<200 {
            let a = randomValue(&rng)
            let b = randomValue(&rng)
            let op = rng.pick(operators)
            let source = "a \(op) b"
            let comparable =
                (a.doubleValue != nil && b.doubleValue != nil) || (a.stringValue != nil && b.stringValue != nil)
            if comparable {
                #expect(evaluationError(source, ["a": a, "b": b]) == nil, "\(a) \(op) \(b)")
            } else {
                let error = evaluationError(source, ["a": a, "b": b])
                #expect(error?.reason == "cannot compare \(a.typeName) with \(b.typeName)")
                #expect(error?.column == 3)
            }
        }
    }

    @Test(arguments: [UInt64(31), 32])
    func orderingAgreesWithReference(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        for _ in 0..<200 {
            let a: JSONValue
            let b: JSONValue
            let expected: Bool
            if rng.chance(2) {
                let x = rng.int(-20...20)
                let y = rng.int(-20...20)
                a = rng.chance(2) ? .int(x) : .double(Double(x) / 4)
                b = rng.chance(2) ? .int(y) : .double(Double(y) / 4)
                expected = a.doubleValue! < b.doubleValue!
            } else {
                let x = randomString(&rng)
                let y = randomString(&rng)
                a = .string(x)
                b = .string(y)
                expected = Array(x.unicodeScalars.map(\.value)).lexicographicallyPrecedes(y.unicodeScalars.map(\.value))
            }
            #expect(try evaluate("a < b", ["a": a, "b": b]) == .bool(expected), "\(a) < \(b)")
            #expect(try evaluate("b > a", ["a": a, "b": b]) == .bool(expected), "\(b) > \(a)")
            #expect(try evaluate("a >= b", ["a": a, "b": b]) == .bool(!expected), "\(a) >= \(b)")
        }
    }

    @Test(arguments: [UInt64(41), 42])
    func equalityIsReflexiveAndSymmetric(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        for _ in 0..<200 {
            let a = randomValue(&rng)
            let b = randomValue(&rng)
            let variables: [String: JSONValue] = ["a": a, "b": b]
            #expect(try evaluate("a == a", variables) == .bool(true))
            #expect(try evaluate("a == b", variables) == evaluate("b == a", variables))
            #expect(try evaluate("a != b", variables) == evaluate("!(a == b)", variables))
        }
    }
}

// MARK: - Random syntax trees

/// Builds random syntax trees of every node kind (columns are irrelevant to equality).
struct TreeGenerator {
    var rng: SplitMix64

    static let identifiers = ["case", "params", "input", "state", "steps", "run", "now", "_x1", "len", "a"]
    static let memberNames = ["name", "output", "in", "true", "null", "b_2", "verify"]

    mutating func node(depth: Int) -> ExpressionNode {
        if depth <= 1 || rng.chance(4) { return leaf() }
        let next = depth - 1
        let kind: ExpressionNode.Kind
        switch rng.int(0...8) {
        case 0: kind = .array((0..<rng.int(0...3)).map { _ in node(depth: next) })
        case 1: kind = .member(node(depth: next), rng.pick(Self.memberNames))
        case 2: kind = .index(node(depth: next), node(depth: next))
        case 3:
            let function = rng.pick(BuiltinFunction.allCases)
            let (minimum, maximum) = function.arity
            let count = rng.int(minimum...(maximum ?? minimum + 2))
            kind = .call(function, (0..<count).map { _ in node(depth: next) })
        case 4: kind = .unary(rng.pick(UnaryOperator.allCases), node(depth: next))
        case 5, 6, 7: kind = .binary(rng.pick(BinaryOperator.allCases), node(depth: next), node(depth: next))
        default: kind = .conditional(node(depth: next), node(depth: next), node(depth: next))
        }
        return ExpressionNode(kind, column: 0)
    }

    mutating func leaf() -> ExpressionNode {
        let kind: ExpressionNode.Kind
        switch rng.int(0...6) {
        case 0: kind = .literal(.int(rng.chance(5) ? Int.max - rng.int(0...3) : rng.int(0...1000)))
        case 1:
            let doubles: [Double] = [0.0, 0.5, 1.0, 2.5, 1e-7, 1e20, 123.456, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
            kind = .literal(.double(rng.chance(2) ? rng.pick(doubles) : Double(rng.int(0...100_000)) / 64))
        case 2: kind = .literal(.string(randomString(&rng)))
        case 3: kind = .literal(rng.pick([.null, .bool(true), .bool(false)]))
        default: kind = .identifier(rng.pick(Self.identifiers))
        }
        return ExpressionNode(kind, column: 0)
    }
}

/// A short string mixing quotes, escapes, control characters, braces and non-ASCII text.
func randomString(_ rng: inout SplitMix64) -> String {
    let pieces = [
        "a", "Z", " ", "\"", "'", "\\", "\n", "\t", "\r", "\u{1}", "\u{7F}", "}", "{", "${", "$",
        "é", "e\u{301}", "\u{301}", "😀", "\u{600}", "/", "0",
    ]
    return (0..<rng.int(0...5)).map { _ in rng.pick(pieces) }.joined()
}

/// A random JSON value of any type (shallow containers).
func randomValue(_ rng: inout SplitMix64, depth: Int = 2) -> JSONValue {
    switch rng.int(0...(depth > 0 ? 6 : 4)) {
    case 0: return .null
    case 1: return .bool(rng.chance(2))
    case 2: return .int(rng.int(-5...5))
    case 3: return .double(Double(rng.int(-20...20)) / 4)
    case 4: return .string(rng.pick(["", "a", "b", "ab", "é"]))
    case 5: return .array((0..<rng.int(0...2)).map { _ in randomValue(&rng, depth: depth - 1) })
    default:
        var members: [String: JSONValue] = [:]
        for key in ["k", "l"].prefix(rng.int(0...2)) { members[key] = randomValue(&rng, depth: depth - 1) }
        return .object(members)
    }
}

// MARK: - Reference evaluator (shunting-yard over a flat token list)

enum ReferenceToken: Equatable {
    case number(Int)
    case boolean(Bool)
    case binary(String)
    case prefix(String)
    case open, close

    var text: String {
        switch self {
        case .number(let value): String(value)
        case .boolean(let value): value ? "true" : "false"
        case .binary(let op), .prefix(let op): op
        case .open: "("
        case .close: ")"
        }
    }
}

/// Appends a random arithmetic expression: operands 0…9, `+ - * %`, prefix `-`, parentheses.
func appendArithmetic(to tokens: inout [ReferenceToken], depth: Int, rng: inout SplitMix64) {
    for position in 0..<rng.int(1...4) {
        if position > 0 { tokens.append(.binary(rng.pick(["+", "-", "*", "%"]))) }
        if rng.chance(5) { tokens.append(.prefix("-")) }
        if depth > 0, rng.chance(4) {
            tokens.append(.open)
            appendArithmetic(to: &tokens, depth: depth - 1, rng: &rng)
            tokens.append(.close)
        } else {
            tokens.append(.number(rng.int(0...9)))
        }
    }
}

/// Appends a random boolean expression: `true false`, `&& || == !=`, prefix `!`, parentheses.
func appendLogic(to tokens: inout [ReferenceToken], depth: Int, rng: inout SplitMix64) {
    for position in 0..<rng.int(1...5) {
        if position > 0 { tokens.append(.binary(rng.pick(["&&", "||", "==", "!="]))) }
        if rng.chance(4) { tokens.append(.prefix("!")) }
        if depth > 0, rng.chance(4) {
            tokens.append(.open)
            appendLogic(to: &tokens, depth: depth - 1, rng: &rng)
            tokens.append(.close)
        } else {
            tokens.append(.boolean(rng.chance(2)))
        }
    }
}

/// Joins tokens with random spacing (sometimes none at all).
func render(_ tokens: [ReferenceToken], rng: inout SplitMix64) -> String {
    tokens.map(\.text).reduce(into: "") { text, token in
        if !text.isEmpty, rng.chance(2) { text += rng.pick([" ", "  ", "\n"]) }
        text += token
    }
}

enum ReferenceEvaluator {
    static let precedence: [String: Int] = ["||": 1, "&&": 2, "==": 3, "!=": 3, "+": 4, "-": 4, "*": 5, "%": 5]

    /// Converts infix tokens to reverse Polish notation (prefix operators bind tightest).
    static func postfix(_ tokens: [ReferenceToken]) -> [ReferenceToken] {
        var output: [ReferenceToken] = []
        var stack: [ReferenceToken] = []
        for token in tokens {
            switch token {
            case .number, .boolean:
                output.append(token)
                while case .prefix? = stack.last { output.append(stack.removeLast()) }
            case .prefix, .open:
                stack.append(token)
            case .binary(let op):
                while case .binary(let top)? = stack.last, precedence[top]! >= precedence[op]! {
                    output.append(stack.removeLast())
                }
                stack.append(token)
            case .close:
                while let top = stack.last, top != .open { output.append(stack.removeLast()) }
                stack.removeLast()
                while case .prefix? = stack.last { output.append(stack.removeLast()) }
            }
        }
        while let top = stack.popLast() { output.append(top) }
        return output
    }

    enum Outcome: Equatable {
        case value(JSONValue)
        /// The reason the evaluator must give.
        case failure(String)
    }

    /// The integer value, or the error the first failing operation must raise.
    static func evaluate(_ tokens: [ReferenceToken]) -> Outcome {
        var values: [Int] = []
        for token in postfix(tokens) {
            switch token {
            case .number(let value): values.append(value)
            case .prefix:
                let (negated, overflow) = 0.subtractingReportingOverflow(values.removeLast())
                if overflow { return .failure("integer overflow in '-'") }
                values.append(negated)
            case .binary(let op):
                let right = values.removeLast()
                let left = values.removeLast()
                let (result, overflow): (Int, Bool)
                switch op {
                case "+": (result, overflow) = left.addingReportingOverflow(right)
                case "-": (result, overflow) = left.subtractingReportingOverflow(right)
                case "*": (result, overflow) = left.multipliedReportingOverflow(by: right)
                default:
                    guard right != 0 else { return .failure("division by zero in '%'") }
                    (result, overflow) = left.remainderReportingOverflow(dividingBy: right)
                }
                if overflow { return .failure("integer overflow in '\(op)'") }
                values.append(result)
            default: preconditionFailure("unexpected \(token)")
            }
        }
        return .value(.int(values.last!))
    }

    static func evaluateLogic(_ tokens: [ReferenceToken]) -> Bool {
        var values: [Bool] = []
        for token in postfix(tokens) {
            switch token {
            case .boolean(let value): values.append(value)
            case .prefix: values.append(!values.removeLast())
            case .binary(let op):
                let right = values.removeLast()
                let left = values.removeLast()
                switch op {
                case "&&": values.append(left && right)
                case "||": values.append(left || right)
                case "==": values.append(left == right)
                default: values.append(left != right)
                }
            default: preconditionFailure("unexpected \(token)")
            }
        }
        return values.last!
    }
}
