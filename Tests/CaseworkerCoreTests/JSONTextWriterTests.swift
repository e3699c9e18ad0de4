import CaseworkerCore
import Foundation
import CaseworkerTestSupport
import Testing

/// `JSONText.encode` must write exactly what Foundation's `JSONEncoder` writes with
/// `[.sortedKeys, .withoutEscapingSlashes]`: definition hashes and stored texts written before it
/// replaced the encoder have to stay equal.
@Suite struct JSONTextWriterTests {
    static let foundation: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func foundationText(_ value: JSONValue) throws -> String {
        String(decoding: try foundation.encode(value), as: UTF8.self)
    }

    @Test func writesTheSameTextAsJSONEncoderForEdgeCases() throws {
        let strings = [
            "", "plain", "a/b", "quote\"back\\slash", "\n\r\t\u{8}\u{C}", "\u{0}\u{1}\u{1F}\u{7F}", "\u{2028}\u{2029}",
            "é e\u{301} ß ǅ", "😀👩‍👩‍👧", "\u{FEFF}bom", "<script>&amp;</script>",
        ]
        let doubles = [
            0.0, -0.0, 1.0, -1.0, 0.5, 0.1 + 0.2, 1e20, 1e21, 1e22, 1e-7, 1e-6, 123_456_789_012_345_678.0, 3.14, 1e300,
            Double.leastNonzeroMagnitude, Double.greatestFiniteMagnitude, -Double.greatestFiniteMagnitude, 9_007_199_254_740_993.0,
        ]
        let ints = [0, 1, -1, Int.max, Int.min, 42, -1_000_000]
        var values: [JSONValue] = [.null, .bool(true), .bool(false), .array([]), .object([:])]
        values += strings.map(JSONValue.string) + doubles.map(JSONValue.double) + ints.map(JSONValue.int)
        values.append(.object(Dictionary(uniqueKeysWithValues: strings.enumerated().map { ($1, JSONValue.int($0)) })))
        let keys = ["a10", "a2", "B", "a", "_", "A", "Z", "z", "1", "10", "2", "ab", "aB", "Ab", "ä", "a b", "~", "ss", "ß"]
        values.append(.object(Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, JSONValue.int($0)) })))
        for value in values {
            #expect(JSONText.encode(value) == (try Self.foundationText(value)), "\(value)")
        }
    }

    @Test(arguments: 0..<8) func writesTheSameTextAsJSONEncoderForGeneratedValues(seed: UInt64) throws {
        var random = SplitMix64(seed: 0x4A53_4F4E + seed)
        for _ in 0..<300 {
            let value = Self.value(depth: 0, &random)
            let (ours, reference) = (JSONText.encode(value), try Self.foundationText(value))
            #expect(ours == reference)
        }
    }

    @Test func aNonFiniteDoubleWritesNullAsTheEncoderFallbackDid() {
        #expect(JSONText.encode(.array([.int(1), .double(.infinity)])) == "null")
        #expect(JSONText.encode(.object(["x": .double(.nan)])) == "null")
    }

    // MARK: - Generation

    static func value(depth: Int, _ random: inout SplitMix64) -> JSONValue {
        switch random.int(0...(depth < 4 ? 7 : 5)) {
        case 0: return .null
        case 1: return .bool(random.chance(2))
        case 2: return .int(integer(&random))
        case 3: return .double(double(&random))
        case 4, 5: return .string(string(&random))
        case 6: return .array((0..<random.int(0...5)).map { _ in value(depth: depth + 1, &random) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<random.int(0...6) { members[string(&random)] = value(depth: depth + 1, &random) }
            return .object(members)
        }
    }

    static func integer(_ random: inout SplitMix64) -> Int {
        switch random.int(0...3) {
        case 0: Int(truncatingIfNeeded: random.next())
        case 1: random.pick([Int.max, Int.min, 0, -1])
        default: random.int(-100_000...100_000)
        }
    }

    static func double(_ random: inout SplitMix64) -> Double {
        switch random.int(0...4) {
        case 0:
            // Any finite bit pattern: subnormals, huge and tiny exponents.
            var d = Double(bitPattern: random.next())
            while !d.isFinite { d = Double(bitPattern: random.next()) }
            return d
        case 1: return Double(random.int(-1_000_000...1_000_000))
        case 2: return Double(random.int(-1_000_000...1_000_000)) / 100
        case 3: return Double(random.int(1...1000)) * pow(10, Double(random.int(-30...30)))
        default: return Double(random.int(0...1_000_000)) / Double(random.int(1...997))
        }
    }

    static let alphabet: [String] = [
        "a", "b", "Z", "0", "9", " ", "/", "\\", "\"", "\n", "\t", "\u{0}", "\u{1B}", "\u{7F}", "é", "e\u{301}", "ß", "ǅ", "€",
        "\u{2028}", "😀", "👩‍👩‍👧", "\u{FFFD}", "中", "_", "-", "~",
    ]

    static func string(_ random: inout SplitMix64) -> String {
        (0..<random.int(0...8)).map { _ in random.pick(alphabet) }.joined()
    }
}
