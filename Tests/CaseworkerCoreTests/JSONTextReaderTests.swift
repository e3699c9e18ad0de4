@testable import CaseworkerCore
import Foundation
import CaseworkerTestSupport
import Testing

/// `JSONText.decode` must answer what Foundation's `JSONDecoder` answered before
/// `JSONTextReader` replaced it on the common path: the same value (`.int` and `.double` as it
/// chose them) for every text it accepts, and a refusal for every text it refuses. The reader
/// may leave a text to `JSONDecoder` (`nil`), but never read one differently.
@Suite struct JSONTextReaderTests {
    static func foundation(_ text: [UInt8]) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(text))
    }

    static func fast(_ text: [UInt8]) -> JSONValue? {
        try? text.withUnsafeBufferPointer(JSONTextReader.read)
    }

    /// The reader answers nothing or Foundation's value; `JSONText.decode` answers Foundation's.
    static func expectAgreement(_ text: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        let reference = foundation(text)
        let description = String(decoding: text, as: UTF8.self).debugDescription
        if let fast = fast(text) {
            #expect(fast == reference, "\(description)", sourceLocation: sourceLocation)
        }
        #expect((try? JSONText.decode(text)) == reference, "\(description)", sourceLocation: sourceLocation)
    }

    static let edgeCases: [String] = [
        // Numbers: Foundation's Int-or-Double choice, ranges, and malformed forms.
        "1", "-1", "0", "-0", "1.0", "1.5", "-1.5", "1e2", "1E2", "1e+2", "1e-2", "-0.0", "0e0", "10e-1", "0.5e1", "1.25e1",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
        "12345678901234567890123", "1.00000000000000000001", "123456789.000000001", "9007199254740993.0", "9007199254740993e0",
        "9007199254740991.0", "-9007199254740991.0", "9007199254740992.0", "1e19", "1.5e18", "9.3e18", "1e400", "-1e400", "1e-400",
        "1.7976931348623157e308", "4.9e-324", "01", "-01", "00", "1.", ".5", "+1", "-", "1e", "1e+", "1.e5", "0x10", "1_000",
        "NaN", "Infinity", "-Infinity", "1 2",
        // Strings: escapes, surrogates, control characters, UTF-8.
        #""""#, #""a""#, #""\/\b\f\n\r\t\"\\""#, #""\u0000""#, #""\u00e9""#, #""\u00E9""#, #""\ud83d\ude00""#, #""\ud800""#,
        #""\udc00""#, #""\ud800\u0041""#, #""\ud800x""#, #""\x""#, #""\u12""#, #""\u12G4""#, "\"a\u{01}b\"", "\"a\tb\"",
        "\"\u{7F}\"", "\"é\"", "\"😀\"", #""abc"#, #""\"#,
        // Literals, structure, whitespace.
        "true", "false", "null", "tru", "nul", "True", "[]", "{}", "[1,]", "[,1]", "[1 2]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}",
        "{\"a\":1,\"a\":2}", "{\"\\u0061\":1,\"a\":2}", "{\"é\":1,\"e\\u0301\":2}", "[1] x", " \t\n\r[ 1 , { \"k\" : [ ] } ] \n",
        "\u{0B}1", "\u{0C}1", "\u{A0}1", "\u{FEFF}1", "", " ", "[", "]", "{", "{\"a\"", "{\"a\":", "[[[]]]", "[{}]",
    ]

    @Test func agreesWithJSONDecoderOnEdgeCases() {
        for text in Self.edgeCases { Self.expectAgreement(Array(text.utf8)) }
        // Bytes that are not UTF-8, inside and outside strings.
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0xFF], [0x5B, 0x31, 0x5D, 0x00]] {
            Self.expectAgreement(bytes)
        }
    }

    /// Its one refusal of its own: nesting past `maxDepth`, without recursing through Foundation.
    @Test func nestingPastTheLimitIsRefused() throws {
        for depth in [JSONTextReader.maxDepth - 1, JSONTextReader.maxDepth] {
            let text = Array((String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).utf8)
            Self.expectAgreement(text)
            #expect(Self.fast(text) != nil)
        }
        for text in [
            String(repeating: "[", count: JSONTextReader.maxDepth + 1) + String(repeating: "]", count: JSONTextReader.maxDepth + 1),
            String(repeating: "{\"a\":", count: 20_000) + "1" + String(repeating: "}", count: 20_000),
            String(repeating: "[", count: 100_000),
        ] {
            #expect(throws: JSONNestingTooDeep.self) { try JSONText.decode(text) }
        }
    }

    @Test func readsTheCommonFormsItself() {
        #expect(Self.fast(Array(#"{"a":[1,-2.5,"x\n\u00e9",true,null],"b":{}}"#.utf8)) == [
            "a": [1, -2.5, "x\né", true, nil], "b": [:],
        ])
        #expect(Self.fast(Array("2.0".utf8)) == .int(2))
        #expect(Self.fast(Array("-9223372036854775808".utf8)) == .int(.min))
        #expect(Self.fast(Array("9223372036854775808".utf8)) == nil)
        #expect(Self.fast(Array(#"{"a":1,"a":1}"#.utf8)) == nil)
    }

    /// Generated values, written as text in several ways: the reader reads each itself (unless it
    /// holds an integral double from 2^53 on) and agrees with Foundation.
    @Test(arguments: 0..<8) func agreesWithJSONDecoderOnGeneratedTexts(seed: UInt64) {
        var random = SplitMix64(seed: 0x5245_4144 + seed)
        for _ in 0..<300 {
            let value = JSONTextWriterTests.value(depth: 0, &random)
            let text = Self.rewrite(Array(JSONText.encode(value).utf8), &random)
            Self.expectAgreement(text)
            if !Self.holdsLargeIntegralDouble(value) {
                #expect(Self.fast(text) != nil, "\(String(decoding: text, as: UTF8.self).debugDescription)")
            }
        }
    }

    /// The same texts with one byte deleted, inserted or replaced: mostly malformed.
    @Test(arguments: 0..<8) func agreesWithJSONDecoderOnCorruptedTexts(seed: UInt64) {
        var random = SplitMix64(seed: 0x4241_4421 + seed)
        let insertable = Array(#"{}[]:,"\ 0123456789-+.eEtrufalsn"#.utf8) + [0x00, 0x09, 0x0A, 0x7F, 0xC3, 0xFF]
        for _ in 0..<300 {
            var text = Array(JSONText.encode(JSONTextWriterTests.value(depth: 0, &random)).utf8)
            for _ in 0..<random.int(1...2) {
                guard !text.isEmpty else {
                    text.append(random.pick(insertable))
                    continue
                }
                let position = random.int(0...(text.count - 1))
                switch random.int(0...2) {
                case 0: text.remove(at: position)
                case 1: text.insert(random.pick(insertable), at: position)
                default: text[position] = random.pick(insertable)
                }
            }
            Self.expectAgreement(text)
        }
    }

    // MARK: - Generation

    /// Whitespace between tokens and `\u` escapes for some characters of strings.
    static func rewrite(_ text: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        let whitespace: [[UInt8]] = [[], [], [0x20], [0x0A], [0x0D, 0x0A, 0x09]]
        var out: [UInt8] = random.pick(whitespace)
        var inString = false
        var scalars = String(decoding: text, as: UTF8.self).unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            if inString, scalar == "\\" {
                // An escape the writer wrote: copy it whole.
                out.append(contentsOf: "\\".utf8)
                if let next = scalars.next() {
                    out.append(contentsOf: String(next).utf8)
                    if next == "u" { for _ in 0..<4 { out.append(contentsOf: String(scalars.next()!).utf8) } }
                }
                continue
            }
            if scalar == "\"" { inString.toggle() }
            if inString, scalar != "\"", random.chance(4) {
                for unit in String(scalar).utf16 { out.append(contentsOf: String(format: random.chance(2) ? "\\u%04x" : "\\u%04X", unit).utf8) }
                continue
            }
            out.append(contentsOf: String(scalar).utf8)
            if !inString, ",:[]{}".unicodeScalars.contains(scalar) { out.append(contentsOf: random.pick(whitespace)) }
        }
        out.append(contentsOf: random.pick(whitespace))
        return out
    }

    static func holdsLargeIntegralDouble(_ value: JSONValue) -> Bool {
        switch value {
        case .double(let d): d.rounded(.towardZero) == d && abs(d) >= 9_007_199_254_740_992
        case .array(let elements): elements.contains(where: holdsLargeIntegralDouble)
        case .object(let members): members.values.contains(where: holdsLargeIntegralDouble)
        default: false
        }
    }
}
