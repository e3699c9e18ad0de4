/// Prints a syntax tree as canonical source text: single spaces around binary operators and
/// `?` `:`, `", "` between list items, double-quoted strings, and only the parentheses the
/// precedence rules require. Parsing the output gives back an equal tree.
enum ExpressionPrinter {
    static func print(_ node: ExpressionNode) -> String {
        var out = ""
        write(node, to: &out)
        return out
    }

    private static func write(_ node: ExpressionNode, to out: inout String) {
        switch node.kind {
        case .literal(let value):
            writeLiteral(value, to: &out)
        case .array(let elements):
            out += "["
            writeList(elements, to: &out)
            out += "]"
        case .identifier(let name):
            out += name
        case .member(let base, let name):
            write(base, needing: Precedence.postfix, to: &out)
            out += "." + name
        case .index(let base, let key):
            write(base, needing: Precedence.postfix, to: &out)
            out += "["
            write(key, to: &out)
            out += "]"
        case .call(let function, let arguments):
            out += function.rawValue + "("
            writeList(arguments, to: &out)
            out += ")"
        case .unary(let op, let operand):
            out += op.rawValue
            write(operand, needing: Precedence.unary, to: &out)
        case .binary(let op, let left, let right):
            write(left, needing: op.precedence, to: &out)
            out += " " + op.rawValue + " "
            write(right, needing: op.precedence + 1, to: &out)
        case .conditional(let condition, let then, let otherwise):
            write(condition, needing: Precedence.conditional + 1, to: &out)
            out += " ? "
            write(then, to: &out)
            out += " : "
            write(otherwise, to: &out)
        }
    }

    /// Writes `node`, in parentheses when it binds more loosely than `precedence`.
    private static func write(_ node: ExpressionNode, needing precedence: Int, to out: inout String) {
        if node.precedence < precedence {
            out += "("
            write(node, to: &out)
            out += ")"
        } else {
            write(node, to: &out)
        }
    }

    private static func writeList(_ nodes: [ExpressionNode], to out: inout String) {
        for (position, node) in nodes.enumerated() {
            if position > 0 { out += ", " }
            write(node, to: &out)
        }
    }

    private static func writeLiteral(_ value: JSONValue, to out: inout String) {
        switch value {
        case .double(let number):
            let text = number.description
            out += text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) ? text : text + ".0"
        case .string(let text):
            // A double-quoted string literal reads JSON's escapes, so the JSON escaper writes it.
            out += JSONTextWriter.quoted(text)
        default:
            // null, booleans, integers: as JSON. (Arrays are `.array` nodes, never literals.)
            ExpressionText.write(value, to: &out)
        }
    }
}
