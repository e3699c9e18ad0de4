extension JSONValue {
    /// JSON equality by value, as JSON Schema (`enum`, `const`) and the expression language (`==`,
    /// `!=`, `in`, `contains`) define it: numbers compare by value, exactly (`1 == 1.0`, while
    /// `2^53 + 1` is not the double `2^53`), arrays element by element in order, objects member by
    /// member whatever the order of their keys; any other pair must be the same kind with the same
    /// value. `==` (`Hashable`) is structural instead: it tells `.int(1)` from `.double(1)`.
    func equalsByValue(_ other: JSONValue) -> Bool {
        switch (self, other) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.int, .int), (.int, .double), (.double, .int), (.double, .double):
            return Self.compareNumbers(self, other) == 0
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.equalsByValue($1) }
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            for (key, x) in a {
                guard let y = b[key], x.equalsByValue(y) else { return false }
            }
            return true
        default:
            return false
        }
    }

    /// Orders two numbers exactly, integers against doubles without rounding either: -1, 0 or 1;
    /// `nil` when either is no number or is NaN. (JSON Schema's bounds and the expression
    /// language's `<` use it.)
    static func compareNumbers(_ a: JSONValue, _ b: JSONValue) -> Int? {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.int(let x), .double(let y)): return y.isNaN ? nil : compare(x, y)
        case (.double(let x), .int(let y)): return x.isNaN ? nil : -compare(y, x)
        case (.double(let x), .double(let y)):
            guard !x.isNaN, !y.isNaN else { return nil }
            return x < y ? -1 : (x == y ? 0 : 1)
        default: return nil
        }
    }

    /// Compares an integer with a double that is not NaN exactly: -1, 0 or 1. Infinities compare
    /// as beyond every integer.
    private static func compare(_ integer: Int, _ double: Double) -> Int {
        if let exact = Int(exactly: double) {
            return integer < exact ? -1 : (integer == exact ? 0 : 1)
        }
        if double.rounded(.towardZero) == double {  // integral but outside the range of Int
            return double > 0 ? -1 : 1
        }
        // Not integral, so |double| < 2^52 and its floor fits in an Int; it lies strictly
        // between floor and floor + 1.
        let floor = Int(double.rounded(.down))
        return integer <= floor ? -1 : 1
    }
}
