import Foundation

/// JSON text in and out for `JSONValue`: the one place that decides how it is written and read.
public enum JSONText {
    /// Compact JSON with sorted object keys: deterministic, so equal values give equal text.
    /// Written by `JSONTextWriter`, byte for byte what `JSONEncoder` with `[.sortedKeys,
    /// .withoutEscapingSlashes]` writes.
    public static func encode(_ value: JSONValue) -> String {
        // Non-finite doubles are refused when values are decoded or computed, so the fallback
        // (what `JSONEncoder` gave, as `try?`) is not expected to happen.
        var writer = JSONTextWriter()
        guard writer.write(value) else { return "null" }
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// Parses JSON text (UTF-8). Throws `DecodingError` with the parser's reason when malformed,
    /// `JSONNestingTooDeep` past `JSONTextReader.maxDepth` levels. Read by `JSONTextReader`; the
    /// texts it leaves (malformed ones, and a few rare valid forms) go to `JSONDecoder`, which
    /// accepts or refuses them with its own message.
    public static func decode(_ bytes: some Collection<UInt8>) throws -> JSONValue {
        let read = try bytes.withContiguousStorageIfAvailable(JSONTextReader.read) ?? Array(bytes).withUnsafeBufferPointer(JSONTextReader.read)
        if let read { return read }
        return try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    public static func decode(_ text: String) throws -> JSONValue {
        // The string's own UTF-8 storage, read in place (no copy into an array).
        try decode(text.utf8)
    }
}
