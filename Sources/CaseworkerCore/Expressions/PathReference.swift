/// A path an expression reads, as far as it is written out: its root name and the members
/// after it up to the first computed or numeric index. `state.decision` is `state` + `decision`;
/// `steps["verify"].output.body[0].score` is `steps` + `verify`, `output`, `body`; `state[key]`
/// is `state` alone. The save-time checks (`DefinitionPathCheck`) read these; evaluation does not.
struct PathReference: Sendable, Hashable {
    struct Member: Sendable, Hashable {
        var name: String
        /// The column of the `.` or `[` that reads it.
        var column: Int
    }

    var root: String
    /// The column of the root name.
    var rootColumn: Int
    var members: [Member]

    /// The written-out path, `root.member...` (for messages).
    func text(through count: Int) -> String {
        ([root] + members.prefix(count).map(\.name)).joined(separator: ".")
    }
}

extension Expression {
    /// Every path the expression reads (see `PathReference`), in source order of their roots.
    var pathReferences: [PathReference] {
        var references: [PathReference] = []
        PathReferenceCollector.visit(root, into: &references)
        return references.sorted { $0.rootColumn < $1.rootColumn }
    }
}

private enum PathReferenceCollector {
    /// The node as a written-out path, or `nil` when some index in it is computed.
    static func path(_ node: ExpressionNode) -> PathReference? {
        switch node.kind {
        case .identifier(let name):
            return PathReference(root: name, rootColumn: node.column, members: [])
        case .member(let base, let name):
            guard var path = path(base) else { return nil }
            path.members.append(.init(name: name, column: node.column))
            return path
        case .index(let base, let key):
            guard case .literal(.string(let name)) = key.kind, var path = path(base) else { return nil }
            path.members.append(.init(name: name, column: node.column))
            return path
        default:
            return nil
        }
    }

    static func visit(_ node: ExpressionNode, into references: inout [PathReference]) {
        switch node.kind {
        case .identifier, .member, .index:
            // The longest written-out prefix is the path; computed indexes on the way are
            // expressions of their own.
            var current = node
            while true {
                if let found = path(current) {
                    references.append(found)
                    return
                }
                switch current.kind {
                case .member(let base, _):
                    current = base
                case .index(let base, let key):
                    visit(key, into: &references)
                    current = base
                default:
                    visitChildren(of: current, into: &references)
                    return
                }
            }
        default:
            visitChildren(of: node, into: &references)
        }
    }

    static func visitChildren(of node: ExpressionNode, into references: inout [PathReference]) {
        switch node.kind {
        case .literal, .identifier: break
        case .array(let elements): for element in elements { visit(element, into: &references) }
        case .member(let base, _): visit(base, into: &references)
        case .index(let base, let key):
            visit(base, into: &references)
            visit(key, into: &references)
        case .call(_, let arguments): for argument in arguments { visit(argument, into: &references) }
        case .unary(_, let operand): visit(operand, into: &references)
        case .binary(_, let left, let right):
            visit(left, into: &references)
            visit(right, into: &references)
        case .conditional(let condition, let then, let otherwise):
            visit(condition, into: &references)
            visit(then, into: &references)
            visit(otherwise, into: &references)
        }
    }
}
