/// Text as the expression language writes values: `string(x)`, template interpolation and
/// error messages.
enum ExpressionText {
    /// Compact JSON (no spaces) with object keys sorted, numbers in shortest form. Strings and
    /// key order are `JSONTextWriter`'s (`JSONTextWriter.quoted`, `keyPrecedes`); only numbers
    /// differ from stored JSON (`number(_:)`).
    static func compact(_ value: JSONValue) -> String {
        var out = ""
        write(value, to: &out)
        return out
    }

    /// What `string(x)` returns: strings unchanged, everything else as compact JSON.
    static func string(_ value: JSONValue) -> String {
        if case .string(let text) = value { return text }
        return compact(value)
    }

    /// Appends what a `${…}` part contributes to a template's text: strings as is, `null` as
    /// nothing, everything else as compact JSON.
    static func appendInterpolation(of value: JSONValue, to out: inout String) {
        switch value {
        case .string(let text): out += text
        case .null: break
        default: write(value, to: &out)
        }
    }

    /// The shortest JSON text that reads back as `number`: integral values below 2^53 without
    /// a fraction (`2.0` → `2`), others in Swift's shortest round-trip form (`0.1`, `1e+16`).
    static func number(_ number: Double) -> String {
        if number.rounded(.towardZero) == number, abs(number) < 9_007_199_254_740_992 {
            return String(Int(number))
        }
        return number.description
    }

    static func write(_ value: JSONValue, to out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .int(let integer): out += String(integer)
        case .double(let double): out += number(double)
        case .string(let text): out += JSONTextWriter.quoted(text)
        case .array(let elements):
            out += "["
            for (position, element) in elements.enumerated() {
                if position > 0 { out += "," }
                write(element, to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (position, key) in members.keys.sorted(by: JSONTextWriter.keyPrecedes).enumerated() {
                if position > 0 { out += "," }
                out += JSONTextWriter.quoted(key)
                out += ":"
                write(members[key]!, to: &out)
            }
            out += "}"
        }
    }
}
