/// Value helpers for the schema subset: JSON Schema equality, exact numeric comparison and the
/// compact rendering of values in messages.
enum JSONSchemaValueSupport {
    /// JSON Schema equality: numbers compare by value (`1 == 1.0`), arrays element by element,
    /// objects member by member regardless of order; everything else must be the same kind.
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.int, .int), (.int, .double), (.double, .int), (.double, .double):
            return compare(a, b) == 0
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            for (key, value) in x {
                guard let other = y[key], equal(value, other) else { return false }
            }
            return true
        default:
            return false
        }
    }

    /// Compares two numbers exactly (no rounding of large integers): -1, 0 or 1; `nil` when either
    /// is no number or is NaN.
    static func compare(_ a: JSONValue, _ b: JSONValue) -> Int? {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            return x < y ? -1 : (x == y ? 0 : 1)
        case (.int(let x), .double(let y)):
            return compare(x, y)
        case (.double(let x), .int(let y)):
            return compare(y, x).map { -$0 }
        case (.double(let x), .double(let y)):
            guard !x.isNaN, !y.isNaN else { return nil }
            return x < y ? -1 : (x == y ? 0 : 1)
        default:
            return nil
        }
    }

    /// Compares an integer with a double exactly.
    private static func compare(_ x: Int, _ y: Double) -> Int? {
        guard !y.isNaN else { return nil }
        let twoTo63 = 9_223_372_036_854_775_808.0
        if y >= twoTo63 { return -1 }
        if y < -twoTo63 { return 1 }
        let floor = y.rounded(.down)
        let floorInt = Int(floor)  // In range: -2^63 <= floor < 2^63.
        if x < floorInt { return -1 }
        if x > floorInt { return 1 }
        return y > floor ? -1 : 0
    }

    /// Compact JSON text for messages: `["a","b"]`, `{"x":1}`; strings and member order as
    /// `JSONTextWriter` writes them.
    static func render(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return d.isFinite ? String(d) : "null"
        case .string(let s): return JSONTextWriter.quoted(s)
        case .array(let a): return "[" + a.map(render).joined(separator: ",") + "]"
        case .object(let o):
            return "{" + o.keys.sorted(by: JSONTextWriter.keyPrecedes).map { JSONTextWriter.quoted($0) + ":" + render(o[$0]!) }
                .joined(separator: ",") + "}"
        }
    }

    /// `a`, `a or b`, `a, b or c`.
    static func orList(_ words: [String]) -> String {
        guard words.count > 1 else { return words.first ?? "" }
        return words.dropLast().joined(separator: ", ") + " or " + words.last!
    }
}
