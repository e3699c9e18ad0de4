import Foundation

/// JSON text in and out, the one place that configures Foundation's coders for `JSONValue`.
public enum JSONText {
    /// Compact JSON with sorted object keys: deterministic, so equal values give equal text.
    public static func encode(_ value: JSONValue) -> String {
        // Encoding a JSONValue cannot fail: it holds only JSON-representable values (non-finite
        // doubles are refused when values are decoded or computed).
        String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }

    /// Parses JSON text (UTF-8). Throws `DecodingError` with the parser's reason when malformed.
    public static func decode(_ bytes: some Collection<UInt8>) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    public static func decode(_ text: String) throws -> JSONValue {
        try decode(Array(text.utf8))
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
