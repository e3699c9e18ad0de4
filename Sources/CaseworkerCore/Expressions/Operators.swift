/// The arithmetic, comparison and membership operators (the logical ones short-circuit and live
/// in `Evaluator.evaluate`).
extension Evaluator {
    func negate(_ value: JSONValue, at node: ExpressionNode) throws(ExpressionError) -> JSONValue {
        switch value {
        case .int(let a):
            let (result, overflow) = Int(0).subtractingReportingOverflow(a)
            guard !overflow else { throw failure("integer overflow in '-'", at: node) }
            return .int(result)
        case .double(let a):
            return .double(-a)
        default:
            throw failure("cannot apply '-' to \(value.typeName)", at: node)
        }
    }

    mutating func apply(
        _ op: BinaryOperator, _ left: JSONValue, _ right: JSONValue, at node: ExpressionNode
    ) throws(ExpressionError) -> JSONValue {
        // Each operator reads its operands at most once: comparing, searching, copying.
        try spendReading(left, at: node)
        try spendReading(right, at: node)
        switch op {
        case .equal:
            return .bool(left.equalsByValue(right))
        case .notEqual:
            return .bool(!left.equalsByValue(right))
        case .less, .lessEqual, .greater, .greaterEqual:
            guard let order = ValueComparison.order(left, right) else {
                throw failure("cannot compare \(left.typeName) with \(right.typeName)", at: node)
            }
            switch op {
            case .less: return .bool(order < 0)
            case .lessEqual: return .bool(order <= 0)
            case .greater: return .bool(order > 0)
            default: return .bool(order >= 0)
            }
        case .in:
            switch (left, right) {
            case (_, .array(let elements)): return .bool(ValueComparison.contains(elements, left))
            case (.string(let key), .object(let members)): return .bool(members[key] != nil)
            case (.string(let needle), .string(let haystack)):
                return .bool(ValueComparison.contains(haystack, substring: needle))
            default: throw mismatch(op, left, right, at: node)
            }
        case .add:
            switch (left, right) {
            case (.string(let a), .string(let b)):
                try ensureFits(a.utf8.count + b.utf8.count + 2, at: node)
                return .string(a + b)
            case (.array(let a), .array(let b)):
                try ensureFits(try size(of: left, at: node) + size(of: right, at: node), at: node)
                return .array(a + b)
            default: return try arithmetic(op, left, right, at: node)
            }
        case .subtract, .multiply:
            return try arithmetic(op, left, right, at: node)
        case .divide:
            return try divide(left, right, at: node)
        case .remainder:
            guard case .int(let a) = left, case .int(let b) = right else { throw mismatch(op, left, right, at: node) }
            guard b != 0 else { throw failure("division by zero in '%'", at: node) }
            return .int(b == -1 ? 0 : a % b)
        case .and, .or:
            preconditionFailure("'&&' and '||' are evaluated with short-circuit in Evaluator.evaluate")
        }
    }

    private func mismatch(
        _ op: BinaryOperator, _ left: JSONValue, _ right: JSONValue, at node: ExpressionNode
    ) -> ExpressionError {
        failure("cannot apply '\(op.rawValue)' to \(left.typeName) and \(right.typeName)", at: node)
    }

    /// `+`, `-` and `*` on numbers: exact on two integers, in `Double` otherwise.
    private func arithmetic(
        _ op: BinaryOperator, _ left: JSONValue, _ right: JSONValue, at node: ExpressionNode
    ) throws(ExpressionError) -> JSONValue {
        if case .int(let a) = left, case .int(let b) = right {
            let (result, overflow) =
                switch op {
                case .add: a.addingReportingOverflow(b)
                case .subtract: a.subtractingReportingOverflow(b)
                default: a.multipliedReportingOverflow(by: b)
                }
            guard !overflow else { throw failure("integer overflow in '\(op.rawValue)'", at: node) }
            return .int(result)
        }
        guard let a = left.doubleValue, let b = right.doubleValue else { throw mismatch(op, left, right, at: node) }
        let result =
            switch op {
            case .add: a + b
            case .subtract: a - b
            default: a * b
            }
        return try finite(result, op, at: node)
    }

    private func divide(_ left: JSONValue, _ right: JSONValue, at node: ExpressionNode) throws(ExpressionError) -> JSONValue {
        guard let a = left.doubleValue, let b = right.doubleValue else { throw mismatch(.divide, left, right, at: node) }
        guard b != 0 else { throw failure("division by zero in '/'", at: node) }
        if case .int(let x) = left, case .int(let y) = right {
            let (quotient, overflow) = x.dividedReportingOverflow(by: y)
            guard !overflow else { throw failure("integer overflow in '/'", at: node) }
            if x % y == 0 { return .int(quotient) }
        }
        return try finite(a / b, .divide, at: node)
    }

    private func finite(_ result: Double, _ op: BinaryOperator, at node: ExpressionNode) throws(ExpressionError) -> JSONValue {
        guard result.isFinite else { throw failure("the result of '\(op.rawValue)' is too large", at: node) }
        return .double(result)
    }
}
