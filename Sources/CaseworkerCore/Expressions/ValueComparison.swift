/// Equality and ordering of JSON values as the expression language defines them.
enum ValueComparison {
    /// Deep JSON equality where integers and numbers compare by value (`1 == 1.0`).
    static func equal(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        case (.int(let a), .double(let b)): return compare(a, b) == 0
        case (.double(let a), .int(let b)): return compare(b, a) == 0
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)):
            guard a.count == b.count else { return false }
            for (x, y) in zip(a, b) where !equal(x, y) { return false }
            return true
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            for (key, x) in a {
                guard let y = b[key], equal(x, y) else { return false }
            }
            return true
        default:
            return false
        }
    }

    /// Orders two numbers or two strings: negative, zero or positive; `nil` for any other pair.
    static func order(_ lhs: JSONValue, _ rhs: JSONValue) -> Int? {
        switch (lhs, rhs) {
        case (.int(let a), .int(let b)): return a < b ? -1 : (a == b ? 0 : 1)
        case (.double(let a), .double(let b)): return a < b ? -1 : (a == b ? 0 : 1)
        case (.int(let a), .double(let b)): return compare(a, b)
        case (.double(let a), .int(let b)): return -compare(b, a)
        case (.string(let a), .string(let b)): return compareScalars(a, b)
        default: return nil
        }
    }

    /// Compares an integer with a finite double exactly (no rounding of large integers).
    static func compare(_ integer: Int, _ double: Double) -> Int {
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

    /// Lexicographic order of the strings' Unicode scalar values.
    static func compareScalars(_ lhs: String, _ rhs: String) -> Int {
        var left = lhs.unicodeScalars.makeIterator()
        var right = rhs.unicodeScalars.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case (let a?, let b?) where a != b: return a.value < b.value ? -1 : 1
            default: continue
            }
        }
    }

    /// Whether `array` holds an element equal to `value`.
    static func contains(_ array: [JSONValue], _ value: JSONValue) -> Bool {
        array.contains { equal($0, value) }
    }

    /// Whether `needle` occurs in `haystack` (comparing `Character`s); the empty string always
    /// does. Knuth–Morris–Pratt: time linear in the two lengths, whatever their content (a naive
    /// search is quadratic, and tenants choose both strings).
    static func contains(_ haystack: String, substring needle: String) -> Bool {
        if needle.isEmpty { return true }
        let pattern = Array(needle)
        // `failure[i]`: the length of the longest proper prefix of `pattern[...i]` that is also
        // its suffix.
        var failure = [Int](repeating: 0, count: pattern.count)
        var matched = 0
        for position in pattern.indices.dropFirst() {
            while matched > 0 && pattern[position] != pattern[matched] { matched = failure[matched - 1] }
            if pattern[position] == pattern[matched] { matched += 1 }
            failure[position] = matched
        }
        matched = 0
        for character in haystack {
            while matched > 0 && character != pattern[matched] { matched = failure[matched - 1] }
            if character == pattern[matched] {
                matched += 1
                if matched == pattern.count { return true }
            }
        }
        return false
    }
}
