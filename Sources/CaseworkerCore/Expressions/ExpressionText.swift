/// Text as the expression language writes values: `string(x)`, template interpolation and
/// error messages.
enum ExpressionText {
    /// Compact JSON (no spaces) with object keys sorted, numbers in shortest form.
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

    /// `text` as a double-quoted JSON string literal.
    static func quoted(_ text: String) -> String {
        var out = ""
        writeQuoted(text, to: &out)
        return out
    }

    static func write(_ value: JSONValue, to out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .int(let integer): out += String(integer)
        case .double(let double): out += number(double)
        case .string(let text): writeQuoted(text, to: &out)
        case .array(let elements):
            out += "["
            for (position, element) in elements.enumerated() {
                if position > 0 { out += "," }
                write(element, to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (position, key) in members.keys.sorted().enumerated() {
                if position > 0 { out += "," }
                writeQuoted(key, to: &out)
                out += ":"
                write(members[key]!, to: &out)
            }
            out += "}"
        }
    }

    static func writeQuoted(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20: out += hexEscape(scalar)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    /// `\u00XX` for a scalar in the Basic Multilingual Plane.
    static func hexEscape(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
