import CaseworkerCore

/// Fills an action map's `http.request` config template with an Invopop step's `config`
/// (`--map-action email.send=FILE`, `?actionMap=`).
///
/// In every string of the template:
/// - a string that is exactly `${config}` or `${config.a.b}` becomes that JSON value of the
///   step's config (`null` when absent): `"body": "${config}"` sends the whole config;
/// - `${config.a}` inside a longer string is interpolated as text, as native templates do
///   (strings as they are, numbers and booleans as JSON, `null` as nothing, arrays and objects
///   as compact JSON);
/// - every other `${…}` (and `$${`) is left as it is: a native template evaluated at run time.
///
/// The config's own strings are literal values in Invopop, so each `${` in them is written
/// `$${` (the native escape): substituted values never become templates.
enum ActionMapSubstitution {
    static func substitute(_ template: JSONValue, config: JSONValue) -> JSONValue {
        switch template {
        case .string(let text): substitute(text, config: config)
        case .array(let elements): .array(elements.map { substitute($0, config: config) })
        case .object(let members): .object(members.mapValues { substitute($0, config: config) })
        default: template
        }
    }

    static func substitute(_ text: String, config: JSONValue) -> JSONValue {
        let parts = split(text)
        if parts.count == 1, case .reference(let path) = parts[0] { return escaped(lookUp(path, in: config)) }
        var out = ""
        for part in parts {
            switch part {
            case .verbatim(let text): out += text
            case .reference(let path): out += interpolated(lookUp(path, in: config))
            }
        }
        return .string(out)
    }

    enum Part: Hashable {
        /// Text and runtime templates, copied as they are.
        case verbatim(String)
        /// A `${config…}` reference: the path below `config`.
        case reference([String])
    }

    /// The text cut into verbatim parts and `${config…}` references.
    static func split(_ text: String) -> [Part] {
        let scalars = Array(text.unicodeScalars)
        var parts: [Part] = []
        var verbatim = String.UnicodeScalarView()
        var position = 0
        while position < scalars.count {
            if scalars[position] == "$", position + 2 < scalars.count, scalars[position + 1] == "$", scalars[position + 2] == "{" {
                verbatim.append(contentsOf: scalars[position...(position + 2)])
                position += 3
                continue
            }
            guard scalars[position] == "$", position + 1 < scalars.count, scalars[position + 1] == "{",
                let close = closingBrace(scalars, from: position + 2)
            else {
                verbatim.append(scalars[position])
                position += 1
                continue
            }
            var inner = ""
            inner.unicodeScalars.append(contentsOf: scalars[(position + 2)..<close])
            if let path = configPath(inner.trimmingCharactersInSpaces()) {
                if !verbatim.isEmpty { parts.append(.verbatim(String(verbatim))) }
                verbatim = String.UnicodeScalarView()
                parts.append(.reference(path))
            } else {
                verbatim.append(contentsOf: scalars[position...close])
            }
            position = close + 1
        }
        if !verbatim.isEmpty || parts.isEmpty { parts.append(.verbatim(String(verbatim))) }
        return parts
    }

    /// The index of the `}` closing a `${` whose expression starts at `start`, outside string
    /// literals (as native templates end); `nil` when unterminated.
    private static func closingBrace(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
        var quote: Unicode.Scalar?
        var position = start
        while position < scalars.count {
            let scalar = scalars[position]
            if let open = quote {
                if scalar == "\\" { position += 1 } else if scalar == open { quote = nil }
            } else if scalar == "'" || scalar == "\"" {
                quote = scalar
            } else if scalar == "}" {
                return position
            }
            position += 1
        }
        return nil
    }

    /// `config` → `[]`, `config.a.b` → `["a", "b"]`; `nil` for any other expression.
    static func configPath(_ expression: String) -> [String]? {
        let segments = expression.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard segments.first == "config" else { return nil }
        let path = Array(segments.dropFirst())
        let allowed = path.allSatisfy { segment in
            !segment.isEmpty && segment.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-") }
        }
        return allowed ? path : nil
    }

    /// The value at `path` in `config` (object members, array indexes); `null` when absent.
    static func lookUp(_ path: [String], in config: JSONValue) -> JSONValue {
        var value = config
        for segment in path {
            switch value {
            case .object(let members): value = members[segment] ?? .null
            case .array(let elements):
                guard let index = Int(segment), elements.indices.contains(index) else { return .null }
                value = elements[index]
            default: return .null
            }
        }
        return value
    }

    /// The value with `${` in its strings written `$${`, so that it stays literal.
    static func escaped(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text): .string(escape(text))
        case .array(let elements): .array(elements.map(escaped))
        case .object(let members): .object(members.mapValues(escaped))
        default: value
        }
    }

    private static func escape(_ text: String) -> String {
        text.contains("${") ? text.replacing("${", with: "$${") : text
    }

    private static func interpolated(_ value: JSONValue) -> String {
        switch value {
        case .null: ""
        case .string(let text): escape(text)
        default: escape(JSONText.encode(value))
        }
    }
}

extension String {
    fileprivate func trimmingCharactersInSpaces() -> String {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}
