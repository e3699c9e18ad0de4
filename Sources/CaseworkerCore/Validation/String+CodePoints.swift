/// The length of a string as every limit of the API counts it.
///
/// Limits such as "at most 256 characters" count Unicode code points: that is how JSON Schema's
/// `maxLength` in `docs/openapi.yaml` counts, and how SQLite's `length()` in the schema's CHECKs
/// counts. Swift's `String.count` counts grapheme clusters instead, which is fewer for text with
/// combining marks or emoji sequences (`"e\u{301}"` is 1 character but 2 code points), so a value
/// within a `count` limit could still break a CHECK (a 500) or the documented schema.
extension String {
    public var codePointCount: Int { unicodeScalars.count }

    /// The first `maxLength` code points (a truncation that never exceeds a code-point limit).
    public func prefix(codePoints maxLength: Int) -> String {
        String(String.UnicodeScalarView(unicodeScalars.prefix(maxLength)))
    }
}
