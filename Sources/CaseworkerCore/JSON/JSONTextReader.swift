/// Parses JSON text into a `JSONValue` the way Foundation's `JSONDecoder` does with
/// `JSONValue.init(from:)`, for the documents it is sure about; for any other it answers `nil`
/// and `JSONText.decode` asks `JSONDecoder`, which then accepts or refuses the text with its own
/// message (`JSONTextReaderTests` compares the two on generated and edge-case texts).
///
/// Hand-written because decoding through the generic `Decoder` machinery into the recursive
/// `JSONValue` cost a few percent of the daemon's CPU per run and a fifth of the benchmark
/// receiver's (docs/PERFORMANCE.md), and every request body, stored JSON column and provider
/// response passes here. What it accepts is RFC 8259, with Foundation's decisions:
/// - a number without fraction or exponent that fits `Int` is `.int`; one with a fraction or an
///   exponent is `.int` when its `Double` is integral and below 2^53 in magnitude, else
///   `.double`; anything else (an integer literal beyond `Int`, an integral value from 2^53 on,
///   an overflow to infinity) is left to `JSONDecoder`;
/// - it answers `nil` (never a different value) for a duplicate key (Foundation refuses those,
///   comparing keys as `String`s, so `"é"` and `"e\u{301}"` collide), an unpaired surrogate
///   escape, a control character in a string, bytes that are not UTF-8, a byte-order mark,
///   and every syntax error.
///
/// One decision is its own: a text nested deeper than `maxDepth` is refused here
/// (`JSONNestingTooDeep`), not left to `JSONDecoder`, whose limit is 512 and whose recursion
/// through `JSONValue.init(from:)` that deep is not worth a thread's stack.
struct JSONTextReader {
    /// The deepest nesting of arrays and objects read; deeper texts are refused.
    static let maxDepth = 256

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var tooDeep = false

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// The value of the whole text, or `nil` when Foundation must decide (see the type's comment).
    /// Throws `JSONNestingTooDeep` for a text nested deeper than `maxDepth`.
    static func read(_ bytes: UnsafeBufferPointer<UInt8>) throws -> JSONValue? {
        var reader = JSONTextReader(bytes)
        reader.skipWhitespace()
        guard let value = reader.value(depth: 0) else {
            if reader.tooDeep { throw JSONNestingTooDeep() }
            return nil
        }
        reader.skipWhitespace()
        guard reader.index == bytes.count else { return nil }
        return value
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    /// (No `cond ? value : nil` in this type: `JSONValue` is nil-expressible, so that `nil`
    /// would be `JSONValue.null`, not "not read".)
    private mutating func value(depth: Int) -> JSONValue? {
        guard let byte = current else { return nil }
        switch byte {
        case UInt8(ascii: "\""): return string().map(JSONValue.string)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard depth < Self.maxDepth else {
                tooDeep = true
                return nil
            }
            return byte == UInt8(ascii: "{") ? object(depth: depth + 1) : array(depth: depth + 1)
        case UInt8(ascii: "t"):
            guard literal("true") else { return nil }
            return .bool(true)
        case UInt8(ascii: "f"):
            guard literal("false") else { return nil }
            return .bool(false)
        case UInt8(ascii: "n"):
            guard literal("null") else { return nil }
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number()
        default: return nil
        }
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard bytes.count - index >= count else { return false }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
        index += count
        return true
    }

    private mutating func object(depth: Int) -> JSONValue? {
        index += 1  // {
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\""), let key = string() else { return nil }
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { return nil }
            index += 1
            skipWhitespace()
            guard let member = value(depth: depth), members.updateValue(member, forKey: key) == nil else { return nil }
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return .object(members)
            default: return nil
            }
        }
    }

    private mutating func array(depth: Int) -> JSONValue? {
        index += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            guard let element = value(depth: depth) else { return nil }
            elements.append(element)
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return .array(elements)
            default: return nil
            }
        }
    }

    /// A string from its opening quote; the common case without escapes is one UTF-8 validation.
    private mutating func string() -> String? {
        index += 1  // "
        let start = index
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                let text = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            case UInt8(ascii: "\\"): return escapedString(from: start)
            case 0x00..<0x20: return nil
            default: index += 1
            }
        }
        return nil
    }

    private mutating func escapedString(from start: Int) -> String? {
        var utf8 = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return String(validating: utf8, as: UTF8.self)
            case 0x00..<0x20: return nil
            case UInt8(ascii: "\\"):
                guard let escape = current else { return nil }
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    guard let scalar = unicodeEscape() else { return nil }
                    utf8.append(contentsOf: String(Character(scalar)).utf8)
                default: return nil
                }
            default: utf8.append(byte)
            }
        }
        return nil
    }

    /// The scalar of `\uXXXX` (after the `u`), a surrogate pair taken together; `nil` for an
    /// unpaired surrogate.
    private mutating func unicodeEscape() -> Unicode.Scalar? {
        guard let high = hexQuad() else { return nil }
        switch high {
        case 0xD800..<0xDC00:
            guard literal("\\u"), let low = hexQuad(), (0xDC00..<0xE000).contains(low) else { return nil }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        case 0xDC00..<0xE000: return nil
        default: return Unicode.Scalar(high)
        }
    }

    private mutating func hexQuad() -> UInt32? {
        guard bytes.count - index >= 4 else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, typed as the comment of the type says.
    private mutating func number() -> JSONValue? {
        let start = index
        let negative = current == UInt8(ascii: "-")
        if negative { index += 1 }
        guard let first = current, isDigit(first) else { return nil }
        index += 1
        // Accumulated negatively so Int.min fits; nil once it overflows.
        var integer: Int? = -Int(first - UInt8(ascii: "0"))
        if first != UInt8(ascii: "0") {
            while let byte = current, isDigit(byte) {
                index += 1
                integer = integer.flatMap { value in
                    let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
                    let (next, overflow2) = times10.subtractingReportingOverflow(Int(byte - UInt8(ascii: "0")))
                    return overflow1 || overflow2 ? nil : next
                }
            }
        }
        var isIntegerLiteral = true
        if current == UInt8(ascii: ".") {
            index += 1
            guard digits() else { return nil }
            isIntegerLiteral = false
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard digits() else { return nil }
            isIntegerLiteral = false
        }
        if isIntegerLiteral {
            guard let integer else { return nil }
            if negative { return .int(integer) }
            guard integer != .min else { return nil }
            return .int(-integer)
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let double = Double(text), double.isFinite else { return nil }
        guard double.rounded(.towardZero) == double else { return .double(double) }
        guard abs(double) < 9_007_199_254_740_992 else { return nil }
        return .int(Int(double))
    }

    /// One or more digits.
    private mutating func digits() -> Bool {
        guard let first = current, isDigit(first) else { return false }
        index += 1
        while let byte = current, isDigit(byte) { index += 1 }
        return true
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}

/// A JSON text nested deeper than `JSONTextReader.maxDepth` levels of arrays and objects.
public struct JSONNestingTooDeep: Error, CustomStringConvertible {
    public var description: String { "arrays and objects nested deeper than \(JSONTextReader.maxDepth) levels" }
}
