/// The built-in functions. Calls are resolved when parsing: an unknown name or a wrong number of
/// arguments is a parse error; wrong argument types are evaluation errors.
enum BuiltinFunction: String, Sendable, Hashable, CaseIterable {
    case len, lower, upper, trim, contains, startsWith, endsWith, coalesce, int, float, string, now

    /// The fewest and most arguments the function takes (`nil`: no maximum).
    var arity: (minimum: Int, maximum: Int?) {
        switch self {
        case .now: (0, 0)
        case .len, .lower, .upper, .trim, .int, .float, .string: (1, 1)
        case .contains, .startsWith, .endsWith: (2, 2)
        case .coalesce: (1, nil)
        }
    }

    /// Why `argumentCount` arguments do not fit, or `nil` when they do.
    func arityProblem(argumentCount: Int) -> String? {
        let (minimum, maximum) = arity
        if argumentCount >= minimum, argumentCount <= (maximum ?? Int.max) { return nil }
        let expected =
            if maximum == nil {
                "at least \(minimum) argument\(minimum == 1 ? "" : "s")"
            } else if minimum == 0 {
                "no arguments"
            } else {
                "exactly \(minimum) argument\(minimum == 1 ? "" : "s")"
            }
        return "'\(rawValue)' takes \(expected), got \(argumentCount)"
    }
}

extension Evaluator {
    mutating func call(
        _ function: BuiltinFunction, _ arguments: [ExpressionNode], at node: ExpressionNode
    ) throws(ExpressionError) -> JSONValue {
        if function == .coalesce {
            for argument in arguments {
                let value = try evaluate(argument)
                if !value.isNull { return value }
            }
            return .null
        }
        if function == .now { return .string(nowText) }
        let first = try evaluate(arguments[0])
        let second = try arguments.count > 1 ? evaluate(arguments[1]) : JSONValue.null
        let name = "'\(function.rawValue)'"
        // Every function reads its arguments once (linear in their size); that is its cost.
        try spendReading(first, at: node)
        try spendReading(second, at: node)

        switch function {
        case .len:
            switch first {
            case .string(let text): return .int(text.count)
            case .array(let elements): return .int(elements.count)
            case .object(let members): return .int(members.count)
            case .null: return .int(0)
            default: throw failure("\(name) needs a string, array, object or null, not \(first.typeName)", at: node)
            }
        case .lower, .upper, .trim:
            guard case .string(let text) = first else {
                throw failure("\(name) needs a string, not \(first.typeName)", at: node)
            }
            let result =
                switch function {
                case .lower: text.lowercased()
                case .upper: text.uppercased()
                default: Self.trimmed(text)
                }
            try ensureFits(result.utf8.count + 2, at: node)
            return .string(result)
        case .contains:
            switch (first, second) {
            case (.string(let text), .string(let part)):
                return .bool(ValueComparison.contains(text, substring: part))
            case (.array(let elements), _):
                return .bool(ValueComparison.contains(elements, second))
            default:
                throw failure(
                    "\(name) needs a string and a string, or an array and a value, not \(first.typeName) and \(second.typeName)",
                    at: node)
            }
        case .startsWith, .endsWith:
            guard case .string(let text) = first, case .string(let part) = second else {
                throw failure("\(name) needs two strings, not \(first.typeName) and \(second.typeName)", at: node)
            }
            return .bool(function == .startsWith ? text.hasPrefix(part) : text.hasSuffix(part))
        case .int:
            return try toInt(first, at: node)
        case .float:
            return try toFloat(first, at: node)
        case .string:
            let text = ExpressionText.string(first)
            try ensureFits(text.utf8.count + 2, at: node)
            return .string(text)
        case .coalesce, .now:
            preconditionFailure("handled above")
        }
    }

    private func toInt(_ value: JSONValue, at node: ExpressionNode) throws(ExpressionError) -> JSONValue {
        switch value {
        case .int:
            return value
        case .double(let number):
            guard let integer = Int(exactly: number.rounded(.towardZero)) else {
                throw failure("'int' cannot convert \(ExpressionText.number(number)) to an integer: out of range", at: node)
            }
            return .int(integer)
        case .string(let text):
            guard let integer = Int(text) else {
                throw failure("'int' cannot convert the string \(JSONTextWriter.quoted(text)) to an integer", at: node)
            }
            return .int(integer)
        case .bool(let flag):
            return .int(flag ? 1 : 0)
        default:
            throw failure("'int' cannot convert \(value.typeName) to an integer", at: node)
        }
    }

    private func toFloat(_ value: JSONValue, at node: ExpressionNode) throws(ExpressionError) -> JSONValue {
        switch value {
        case .int(let integer):
            return .double(Double(integer))
        case .double:
            return value
        case .string(let text):
            guard Self.isDecimalText(text), let number = Double(text), number.isFinite else {
                throw failure("'float' cannot convert the string \(JSONTextWriter.quoted(text)) to a number", at: node)
            }
            return .double(number)
        default:
            throw failure("'float' cannot convert \(value.typeName) to a number", at: node)
        }
    }

    /// Whether `text` is made of ASCII digits, sign, `.` and exponent characters only, so that
    /// `Double(_:)` cannot accept `inf`, `nan` or hexadecimal forms.
    static func isDecimalText(_ text: String) -> Bool {
        var hasDigit = false
        for scalar in text.unicodeScalars {
            switch scalar {
            case "0"..."9": hasDigit = true
            case "+", "-", ".", "e", "E": continue
            default: return false
            }
        }
        return hasDigit
    }

    static func trimmed(_ text: String) -> String {
        guard let first = text.firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let last = text.lastIndex(where: { !$0.isWhitespace })!
        return String(text[first...last])
    }
}
