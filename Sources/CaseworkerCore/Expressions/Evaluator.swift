/// Evaluates a parsed expression tree against the variables of an `EvaluationContext`.
///
/// # The expression language
///
/// A string config value may contain `${expr}` (see `Template`). Expressions are parsed once
/// when the configuration is saved; evaluation walks the syntax tree and never re-reads text.
///
/// **Context.** Root identifiers are looked up in the context's variables: `case`, `params`,
/// `input`, `state`, `steps` (`steps.<id>.output|status|code|attempt`), `run` (`id`,
/// `createdAt`, `correlationId`) and `now`. An unknown root is `null` (a definition cannot hold
/// one: `DefinitionPathCheck` refuses it at save). `now` is always the
/// injected time as an RFC 3339 UTC string with milliseconds, e.g. `2026-11-22T11:24:26.123Z`
/// (the same as `now()`); the evaluator never reads the clock.
///
/// **Literals.** Integers (`42` → integer), decimals and exponents (`2.5`, `1e3` → number),
/// strings in double or single quotes with the escapes `\"` `\'` `\\` `\/` `\n` `\t` `\r`
/// `\b` `\f` `\uXXXX` (surrogate pairs combine; so every JSON string is a string literal), `true`, `false`, `null`, arrays `[1, "a", x]`.
/// Number literals are unsigned; `-1` is the negation of `1`. An integer literal above
/// `Int.max`, or a decimal that overflows, is a parse error.
///
/// **Paths.** Identifiers are `[A-Za-z_][A-Za-z0-9_]*`. `a.name` reads an object member
/// (keywords are allowed as names: `a.in`); `a[expr]` reads an array element when the index is
/// an integer (or a number with an integral value) in `0..<count`, or an object member when the
/// index is a string. Anything else — a missing member, an index out of range or negative, a
/// wrong index type, or an access on `null` or on a non-container — is `null`, never an error.
///
/// **Operators**, loosest first: `?:` (right-associative), `||`, `&&`, `==` `!=`,
/// `<` `<=` `>` `>=` `in`, `+` `-`, `*` `/` `%`, prefix `!` `-`, then postfix `.name`, `[i]`,
/// calls. All binary levels are left-associative. Parentheses group.
/// - `&&` and `||` short-circuit and return a boolean. Each operand evaluated must be a boolean
///   (**null never decides**: a `null` operand is an error naming it, like any other non-boolean;
///   `coalesce(x, false)` states a default). `!` and the condition of `c ? a : b` follow the same
///   rule; only the chosen branch of `?:` is evaluated.
/// - `==` and `!=` compare deeply as JSON, with integers and numbers compared by value
///   (`1 == 1.0`, `[1] == [1.0]`); strings compare by `String` equality (canonical
///   equivalence). Never an error.
/// - `<` `<=` `>` `>=` need two numbers (compared exactly by value, integer or not) or two
///   strings (lexicographic by Unicode scalar values); otherwise the error is
///   `cannot compare <type> with <type>`.
/// - `+`: integer + integer → integer (overflow is an error); other number pairs → number;
///   string + string and array + array concatenate. `-` and `*` take numbers only.
///   `/` takes numbers: dividing by zero is an error; integer / integer is an integer when exact
///   (`6 / 3` → `2`) and a number otherwise (`7 / 2` → `3.5`). `%` takes integers only, the
///   result has the sign of the dividend (`-7 % 3` → `-1`), and a zero divisor is an error.
///   Prefix `-` takes a number. Integer overflow, and a number result that is not finite, are
///   errors. Type errors read `cannot apply '<op>' to <type> and <type>`.
/// - `x in array` is deep-equality membership, `"k" in object` tests for a key,
///   `"sub" in "string"` tests for a substring (the empty string is in every string; linear
///   time); anything else is an error.
///
/// **Functions** (unknown names and wrong argument counts are parse errors; wrong argument
/// types are evaluation errors naming the function):
/// `len(x)` characters of a string, elements of an array, members of an object, 0 for `null`;
/// `lower(s)`, `upper(s)`, `trim(s)` (whitespace and newlines at both ends) take strings;
/// `contains(s, sub)` for two strings, `contains(array, x)` deep-equality membership;
/// `startsWith(s, prefix)`, `endsWith(s, suffix)` take strings;
/// `coalesce(a, …)` (one or more arguments) evaluates arguments in order and returns the first
/// that is not `null` (`null` if all are) — later arguments are not evaluated;
/// `int(x)`: integers unchanged, numbers truncated toward zero (error when out of range), strings
/// holding an optionally signed decimal integer (`"42"`, `"-7"`, no spaces), booleans → 0/1;
/// `float(x)`: numbers, or strings holding a decimal number (`"2.5"`, `"-1e3"`) → number;
/// `string(x)`: strings unchanged, numbers in their shortest JSON form (`2.0` → `"2"`,
/// `0.1` → `"0.1"`), booleans `"true"`/`"false"`, `null` → `"null"`, arrays and objects as compact
/// JSON with sorted keys; `now()` the injected time as above.
///
/// **Errors.** An evaluation error is an `ExpressionError` whose column is that of the failing
/// operator (`+`, `<`, the `?` of `?:`, …) or function name, and whose reason names the types
/// involved. The engine ends the step `KO` with code `expression_error` and the error's
/// description as message.
///
/// **Limits.** At most `Expression.maximumLength` (8192) characters per expression and
/// `Expression.maximumDepth` (64) levels of nesting; beyond either is a parse error. Evaluation
/// is bounded by the context's `ValueLimits`: its work by `evaluationBudget` (one unit per node,
/// plus the bytes or elements each operator and function reads, copies or compares; every one of
/// them is linear in its operands, `contains` and `in` on strings included), the values it builds
/// by `maxBytes` (checked before a string, array or interpolation is built), and its result by
/// `maxDepth` and `maxBytes`. Past a bound the error's `kind` says which (`ExpressionError.code`:
/// `expression_budget_exceeded`, `value_too_large`, `value_too_deep`).
struct Evaluator {
    let variables: [String: JSONValue]
    let nowText: String
    /// The text errors refer to (a whole template for an expression inside one).
    let source: String
    /// The bounds, and the budget left (shared by every expression of one template or config).
    var meter: EvaluationMeter

    func failure(_ reason: String, at node: ExpressionNode, kind: ExpressionError.Kind = .invalid) -> ExpressionError {
        ExpressionError(source: source, column: node.column, reason: reason, kind: kind)
    }

    /// Spends `units` of the budget, or fails with `budgetExceeded` at `node`.
    mutating func spend(_ units: Int, at node: ExpressionNode) throws(ExpressionError) {
        guard meter.spend(units) else {
            throw failure(
                "the evaluation exceeded its budget of \(meter.limits.evaluationBudget) units (limits.evaluationBudget)", at: node,
                kind: .budgetExceeded)
        }
    }

    /// Spends what reading `value` once costs: its bytes (a walk that stops past `maxBytes`).
    mutating func spendReading(_ value: JSONValue, at node: ExpressionNode) throws(ExpressionError) {
        switch value {
        case .string(let text): try spend(text.utf8.count, at: node)
        case .array, .object: try spend(ValueLimits.size(of: value, upTo: meter.limits.maxBytes).bytes, at: node)
        default: try spend(1, at: node)
        }
    }

    /// The size of `value` in bytes of compact JSON (counted up to `maxBytes`), the walk paid
    /// from the budget.
    mutating func size(of value: JSONValue, at node: ExpressionNode) throws(ExpressionError) -> Int {
        if case .string(let text) = value { return text.utf8.count + 2 }
        let (bytes, nodes) = ValueLimits.size(of: value, upTo: meter.limits.maxBytes)
        try spend(nodes, at: node)
        return bytes
    }

    /// Fails with `valueTooLarge` at `node` when a value of `bytes` would pass `maxBytes`.
    func ensureFits(_ bytes: Int, at node: ExpressionNode) throws(ExpressionError) {
        guard bytes <= meter.limits.maxBytes else {
            throw failure(
                "the value would be larger than \(ValueLimits.bytesText(meter.limits.maxBytes)) (limits.maxValueBytes)", at: node,
                kind: .valueTooLarge)
        }
    }

    mutating func evaluate(_ node: ExpressionNode) throws(ExpressionError) -> JSONValue {
        try spend(1, at: node)
        switch node.kind {
        case .literal(let value):
            return value
        case .array(let elements):
            var values: [JSONValue] = []
            values.reserveCapacity(elements.count)
            var bytes = 2
            for element in elements {
                let value = try evaluate(element)
                bytes += try size(of: value, at: node) + 1
                try ensureFits(bytes, at: node)
                values.append(value)
            }
            return .array(values)
        case .identifier(let name):
            return variables[name] ?? .null
        case .member(let base, let name):
            guard case .object(let members) = try evaluate(base) else { return .null }
            try spend(name.utf8.count, at: node)
            return members[name] ?? .null
        case .index(let base, let key):
            let container = try evaluate(base)
            let index = try evaluate(key)
            try spend(index.stringValue?.utf8.count ?? 1, at: node)
            return Self.element(of: container, at: index)
        case .call(let function, let arguments):
            return try call(function, arguments, at: node)
        case .unary(.not, let operand):
            let value = try evaluate(operand)
            return .bool(!(try truth(of: value, operand, for: "'!'", at: node)))
        case .unary(.negate, let operand):
            let value = try evaluate(operand)
            return try negate(value, at: node)
        case .binary(.and, let left, let right):
            let first = try evaluate(left)
            guard try truth(of: first, left, for: "'&&'", at: node) else { return .bool(false) }
            let second = try evaluate(right)
            return .bool(try truth(of: second, right, for: "'&&'", at: node))
        case .binary(.or, let left, let right):
            let first = try evaluate(left)
            if try truth(of: first, left, for: "'||'", at: node) { return .bool(true) }
            let second = try evaluate(right)
            return .bool(try truth(of: second, right, for: "'||'", at: node))
        case .binary(let op, let left, let right):
            let first = try evaluate(left)
            let second = try evaluate(right)
            return try apply(op, first, second, at: node)
        case .conditional(let condition, let then, let otherwise):
            let value = try evaluate(condition)
            let chosen = try truth(of: value, condition, for: "the condition of '?:'", at: node)
            return try evaluate(chosen ? then : otherwise)
        }
    }

    /// `base[key]` as the language defines it: `null` whenever there is no such element.
    static func element(of base: JSONValue, at key: JSONValue) -> JSONValue {
        switch (base, key) {
        case (.array(let elements), _):
            guard let position = key.intValue, elements.indices.contains(position) else { return .null }
            return elements[position]
        case (.object(let members), .string(let name)):
            return members[name] ?? .null
        default:
            return .null
        }
    }

    /// The truth of a boolean; anything else is an error for `role`. A `null` `value` is an
    /// error too (null never decides), naming the `operand` that was null.
    func truth(of value: JSONValue, _ operand: ExpressionNode, for role: String, at node: ExpressionNode) throws(ExpressionError) -> Bool {
        switch value {
        case .bool(let flag): return flag
        case .null: throw failure(NullDecision.reason(role: role, operand: ExpressionPrinter.print(operand)), at: node)
        default: throw failure("\(role) needs a boolean, not \(value.typeName)", at: node)
        }
    }
}
