/// Writes `JSONValue`s as compact JSON text with sorted object keys, byte for byte what
/// Foundation's `JSONEncoder` writes with `[.sortedKeys, .withoutEscapingSlashes]`
/// (`JSONTextWriterTests` compares the two on generated values).
///
/// Hand-written because the texts it writes are hashed and compared (definition hashes, stored
/// run state) and are on the engine's hot path, where the generic `Encoder` machinery cost a
/// tenth of the daemon's CPU (docs/PERFORMANCE.md). The rules it reproduces:
/// - object keys in the lexicographic order of their UTF-8 bytes (not `String`'s `<`, which
///   compares canonical equivalents: `e\u{301}` sorts before `f` here);
/// - strings escape `"`, `\`, and control characters below U+0020 (`\b \f \n \r \t` by name,
///   the others as `\u00XX` in lowercase hex); `/`, DEL (U+007F) and everything else are written
///   as is;
/// - integers in decimal; doubles as Swift's `description` without a trailing `.0`
///   (`1`, `0.5`, `1e+20`, `-0`).
struct JSONTextWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// Appends `value`. Returns `false` (and leaves partial output) for a non-finite double,
    /// which JSON cannot represent.
    mutating func write(_ value: JSONValue) -> Bool {
        switch value {
        case .null: append("null")
        case .bool(let b): append(b ? "true" : "false")
        case .int(let i): append(String(i))
        case .double(let d):
            guard d.isFinite else { return false }
            var text = d.description
            if text.hasSuffix(".0") { text.removeLast(2) }
            append(text)
        case .string(let s): write(string: s)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                guard write(element) else { return false }
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            for (index, member) in members.sorted(by: { Self.keyPrecedes($0.key, $1.key) }).enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                write(string: member.key)
                bytes.append(UInt8(ascii: ":"))
                guard write(member.value) else { return false }
            }
            bytes.append(UInt8(ascii: "}"))
        }
        return true
    }

    /// The order of object keys: the lexicographic order of their UTF-8 bytes. Every JSON text
    /// Core writes (stored JSON, `string(x)` and template text, validation messages) sorts its
    /// keys by it.
    static func keyPrecedes(_ left: String, _ right: String) -> Bool {
        left.utf8.lexicographicallyPrecedes(right.utf8)
    }

    /// `text` as a JSON string literal, escaped by the rules above: the one JSON string escaper.
    static func quoted(_ text: String) -> String {
        var writer = JSONTextWriter(capacity: text.utf8.count + 2)
        writer.write(string: text)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    mutating func write(string: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = string
        text.withUTF8 { utf8 in
            var runStart = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                runStart = index + 1
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                default:
                    bytes.append(contentsOf: "u00".utf8)
                    bytes.append(Self.hexDigits[Int(byte >> 4)])
                    bytes.append(Self.hexDigits[Int(byte & 0xF)])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
