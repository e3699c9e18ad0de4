/// Ordering and containment of JSON values as the expression language defines them; equality is
/// `JSONValue.equalsByValue`.
enum ValueComparison {
    /// Orders two numbers or two strings: negative, zero or positive; `nil` for any other pair.
    static func order(_ lhs: JSONValue, _ rhs: JSONValue) -> Int? {
        if case (.string(let a), .string(let b)) = (lhs, rhs) { return compareScalars(a, b) }
        return JSONValue.compareNumbers(lhs, rhs)
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
        array.contains { $0.equalsByValue(value) }
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
