import Foundation
import CaseworkerCore

/// Translates Conductor's `${…}` parameter references into native templates (SPEC 2.6).
///
/// Conductor resolves `${root.path}` where the path after the root is JSONPath (`.name`,
/// `[0]`, `['a-b']`). The translations:
///
/// | Conductor | native |
/// | --- | --- |
/// | `${workflow.input.x}` | `${input.x}` |
/// | `${workflow.variables.x}` | `${state.x}` |
/// | `${workflow.workflowId}` | `${run.id}` |
/// | `${workflow.correlationId}` | `${run.correlationId}` |
/// | `${ref.output.x}` | `${steps.ref.output.x}` |
/// | `${ref.status}` | `${steps.ref.status}` |
/// | HTTP task `${ref.output.response.body.x}` | `${steps.ref.output.body.x}` |
/// | HTTP task `${ref.output.response.statusCode}` | `${steps.ref.output.status}` |
/// | HTTP task `${ref.output.response.headers.x}` | `${steps.ref.output.headers.x}` |
///
/// A segment that is not an identifier is written with brackets (`steps['my-ref'].output['a-b']`).
/// Everything else is refused with the reason: `${ref.input.x}` (a task's input is not kept),
/// `${workflow.output…}` and other `workflow` members, unknown roots, JSONPath wildcards, filters
/// and deep scans. A value that is exactly one `${…}` stays exactly one, so it keeps taking the
/// referenced JSON value, as in Conductor; text around references is interpolated in both.
struct ConductorTemplates {
    /// Every `taskReferenceName` of the workflow (at any depth) with its task `type`.
    let taskTypes: [String: String]

    /// The native template for `text`, or the reason it cannot be translated (naming the
    /// expression).
    func translate(_ text: String) -> Result<String, Refusal> {
        guard text.contains("${") else { return .success(text) }
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "${") {
            var literal = rest[..<open.lowerBound]
            // Native `$${` is an escaped `${`: a `$` just before a reference is written `${'$'}`.
            var dollar = ""
            if literal.hasSuffix("$") {
                literal = literal.dropLast()
                dollar = "${'$'}"
            }
            out += literal + dollar
            let afterOpen = rest[open.upperBound...]
            guard let close = afterOpen.firstIndex(of: "}") else {
                return .failure(Refusal(reason: "'\(rest[open.lowerBound...])' has no closing '}'"))
            }
            let expression = String(afterOpen[..<close])
            switch nativeExpression(expression) {
            case .success(let native): out += "${" + native + "}"
            case .failure(let refusal): return .failure(refusal)
            }
            rest = afterOpen[afterOpen.index(after: close)...]
        }
        out += rest
        do {
            _ = try Template(parsing: out)
        } catch {
            return .failure(Refusal(reason: "'\(text)' translates to '\(out)', which does not parse: \(error.reason)"))
        }
        return .success(out)
    }

    /// Translates every string inside `value` (at `pointer` in the foreign body); each string
    /// that cannot be translated is refused at its own pointer and left as it was.
    func translate(_ value: JSONValue, at pointer: String, _ report: inout ReportBuilder) -> JSONValue {
        switch value {
        case .string(let text):
            switch translate(text) {
            case .success(let native): return .string(native)
            case .failure(let refusal):
                report.refuse(pointer, refusal.reason)
                return value
            }
        case .array(let elements):
            return .array(elements.enumerated().map { translate($1, at: JSONPointer.appending($0, to: pointer), &report) })
        case .object(let members):
            var translated: [String: JSONValue] = [:]
            for key in members.keys.sorted() {
                translated[key] = translate(members[key]!, at: JSONPointer.appending(key, to: pointer), &report)
            }
            return .object(translated)
        default:
            return value
        }
    }

    struct Refusal: Error, Hashable {
        var reason: String
    }

    /// One step of a Conductor path.
    enum Segment: Hashable {
        case name(String)
        case index(Int)
    }

    /// The native expression for the Conductor reference `expression` (the text inside `${}`).
    func nativeExpression(_ expression: String) -> Result<String, Refusal> {
        let shown = "${\(expression)}"
        guard let (root, path) = Self.parse(expression.trimmingCharacters(in: .whitespaces)) else {
            return .failure(Refusal(reason:
                "\(shown) is not a path Caseworker can translate (JSONPath wildcards, filters, deep scans and "
                    + "functions have no equivalent): read a plain path such as ${workflow.input.x}"))
        }
        if root == "workflow" { return workflowMember(path, shown: shown) }
        guard let type = taskTypes[root] else {
            return .failure(Refusal(reason:
                "\(shown) reads '\(root)', which is neither 'workflow' nor a taskReferenceName of this workflow"))
        }
        guard case .name(let member)? = path.first else {
            return .failure(Refusal(reason: "\(shown) reads the task '\(root)' as a whole: read its output or status"))
        }
        // A JOIN's output holds each joined task's output: read that task's own.
        if type == "JOIN", member == "output", path.count >= 2, case .name(let joined) = path[1] {
            let rest = path.dropFirst(2).map { segment -> String in
                switch segment {
                case .name(let name): "." + name
                case .index(let index): "[\(index)]"
                }
            }.joined()
            return nativeExpression(joined + ".output" + rest)
        }
        let task = Self.render("steps", [.name(root)])
        let rest = Array(path.dropFirst())
        switch member {
        case "output":
            if type == "HTTP" { return httpOutput(rest, task: task, shown: shown, ref: root) }
            return .success(Self.render(task + ".output", rest))
        case "status" where rest.isEmpty:
            return .success(task + ".status")
        case "input":
            return .failure(Refusal(reason:
                "\(shown) reads a task's input, which Caseworker does not keep: read what the input was built from "
                    + "(its inputParameters, e.g. ${workflow.input.x}) instead"))
        default:
            return .failure(Refusal(reason:
                "\(shown) reads '\(member)' of a task; Caseworker keeps a step's output and status (${\(root).output…}, ${\(root).status})"))
        }
    }

    private func workflowMember(_ path: [Segment], shown: String) -> Result<String, Refusal> {
        let rest = Array(path.dropFirst())
        switch path.first {
        case .name("input")?: return .success(Self.render("input", rest))
        case .name("variables")?: return .success(Self.render("state", rest))
        case .name("workflowId")? where rest.isEmpty: return .success("run.id")
        case .name("correlationId")? where rest.isEmpty: return .success("run.correlationId")
        default:
            return .failure(Refusal(reason:
                "\(shown) has no native equivalent: a template reads workflow.input, workflow.variables, "
                    + "workflow.workflowId and workflow.correlationId (as input, state, run.id, run.correlationId)"))
        }
    }

    /// An HTTP task's output is `{response: {body, statusCode, headers, reasonPhrase}}` in
    /// Conductor and `{status, headers, body}` natively.
    private func httpOutput(_ path: [Segment], task: String, shown: String, ref: String) -> Result<String, Refusal> {
        let refusal = Refusal(reason:
            "\(shown): an HTTP task's output is shaped differently in Caseworker: read "
                + "${\(ref).output.response.body…}, ${\(ref).output.response.statusCode} or ${\(ref).output.response.headers…}")
        guard path.count >= 2, path[0] == .name("response"), case .name(let member) = path[1] else { return .failure(refusal) }
        let rest = Array(path.dropFirst(2))
        switch member {
        case "body": return .success(Self.render(task + ".output.body", rest))
        case "headers": return .success(Self.render(task + ".output.headers", rest))
        case "statusCode" where rest.isEmpty: return .success(task + ".output.status")
        default: return .failure(refusal)
        }
    }

    /// Splits `root.a['b-c'][0]` into its root and segments; `nil` for anything else.
    static func parse(_ expression: String) -> (String, [Segment])? {
        let scalars = Array(expression.unicodeScalars)
        var position = 0
        func readName() -> String {
            var name = String.UnicodeScalarView()
            while position < scalars.count, scalars[position] != ".", scalars[position] != "[" {
                name.append(scalars[position])
                position += 1
            }
            return String(name)
        }
        let root = readName()
        guard !root.isEmpty, !root.contains(where: { " ()*?@$'\"".contains($0) }) else { return nil }
        var segments: [Segment] = []
        while position < scalars.count {
            if scalars[position] == "." {
                position += 1
                let name = readName()
                guard !name.isEmpty, !name.contains(where: { " ()*?@$'\"]".contains($0) }) else { return nil }
                segments.append(.name(name))
                continue
            }
            // "[": an index or a quoted name.
            position += 1
            guard position < scalars.count else { return nil }
            let quote = scalars[position]
            if quote == "'" || quote == "\"" {
                position += 1
                var name = String.UnicodeScalarView()
                while position < scalars.count, scalars[position] != quote {
                    name.append(scalars[position])
                    position += 1
                }
                guard position + 1 < scalars.count, scalars[position + 1] == "]" else { return nil }
                position += 2
                segments.append(.name(String(name)))
            } else {
                var digits = ""
                while position < scalars.count, scalars[position].properties.numericType != nil, scalars[position].isASCII {
                    digits.unicodeScalars.append(scalars[position])
                    position += 1
                }
                guard position < scalars.count, scalars[position] == "]", let index = Int(digits) else { return nil }
                position += 1
                segments.append(.index(index))
            }
        }
        return (root, segments)
    }

    /// `base` followed by the segments in native syntax: `.name` for identifiers, `['name']`
    /// for other names, `[n]` for indexes.
    static func render(_ base: String, _ segments: [Segment]) -> String {
        segments.reduce(base) { text, segment in
            switch segment {
            case .index(let index): return text + "[\(index)]"
            case .name(let name):
                if isIdentifier(name) { return text + "." + name }
                let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
                return text + "['" + escaped + "']"
            }
        }
    }

    /// `[A-Za-z_][A-Za-z0-9_]*`: a name the native expression language reads after a `.`.
    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCII, first == "_" || first.properties.isAlphabetic else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0)) }
    }
}
