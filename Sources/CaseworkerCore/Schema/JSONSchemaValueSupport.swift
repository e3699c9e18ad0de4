/// Value helpers for the schema subset: the compact rendering of values in messages. (Equality
/// and number order are `JSONValue.equalsByValue` and `compareNumbers`.)
enum JSONSchemaValueSupport {
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
