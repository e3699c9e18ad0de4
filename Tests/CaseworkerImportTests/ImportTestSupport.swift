@testable import CaseworkerImport
import CaseworkerCore
import Testing

/// What the translator tests share: decoding bodies, reading a report by pointer, the walker that
/// checks every member of a foreign body is accounted for, and the native validation every save
/// runs.
enum ImportTestSupport {
    static func json(_ text: String) -> JSONValue {
        do { return try JSONText.decode(text) } catch { fatalError("a test body that is not JSON: \(error)\n\(text)") }
    }

    /// Every JSON pointer inside `value` (object members and array elements at every depth, leaves
    /// included), below `pointer`, in document order.
    static func pointers(in value: JSONValue, at pointer: String = "") -> [String] {
        switch value {
        case .object(let members):
            members.keys.sorted().flatMap { key -> [String] in
                let child = JSONPointer.appending(key, to: pointer)
                return [child] + pointers(in: members[key]!, at: child)
            }
        case .array(let elements):
            elements.indices.flatMap { index -> [String] in
                let child = JSONPointer.appending(index, to: pointer)
                return [child] + pointers(in: elements[index], at: child)
            }
        default:
            []
        }
    }

    /// The pointers of `body` the report does not account for (`ImportReport`'s contract).
    ///
    /// An object member is accounted for by an entry at its own pointer, or at an ancestor whose
    /// entry covers its value. An array element (a task, a step, a rule) may instead be accounted
    /// for through its members: it is a container whose every member is accounted for. Every leaf
    /// and every empty container needs an entry of its own or a covering ancestor.
    static func unaccounted(_ body: JSONValue, _ report: ImportReport) -> [String] {
        let named = Set(report.entries.map(\.pointer))
        let covering = Set(report.entries.filter(\.coversValue).map(\.pointer))
        var missing: [String] = []
        func isCovered(_ pointer: String) -> Bool {
            var ancestor = pointer
            while let slash = ancestor.lastIndex(of: "/") {
                ancestor = String(ancestor[..<slash])
                if covering.contains(ancestor) { return true }
            }
            return false
        }
        /// Whether `value` at `pointer` is accounted for; records the first pointers that are not.
        @discardableResult
        func visit(_ value: JSONValue, at pointer: String, isElement: Bool) -> Bool {
            if named.contains(pointer) || isCovered(pointer) {
                // Its own entry accounts for it; the members inside still need theirs unless it covers them.
                if !covering.contains(pointer) && !isCovered(pointer) { visitChildren(value, at: pointer) }
                return true
            }
            let isContainer = value.objectValue.map { !$0.isEmpty } ?? value.arrayValue.map { !$0.isEmpty } ?? false
            if (isElement || pointer.isEmpty) && isContainer {
                return visitChildren(value, at: pointer)
            }
            missing.append(pointer)
            return false
        }
        @discardableResult
        func visitChildren(_ value: JSONValue, at pointer: String) -> Bool {
            var all = true
            switch value {
            case .object(let members):
                for key in members.keys.sorted() where !visit(members[key]!, at: JSONPointer.appending(key, to: pointer), isElement: false) {
                    all = false
                }
            case .array(let elements):
                for (index, element) in elements.enumerated() where !visit(element, at: JSONPointer.appending(index, to: pointer), isElement: true) {
                    all = false
                }
            default:
                break
            }
            return all
        }
        visit(body, at: "", isElement: false)
        return missing
    }

    /// The native validation every save runs, as `DefinitionImport.prepare` runs it: the errors of
    /// `WorkflowDefinition(parsing:)`, empty when the translation is a valid definition.
    static func validationErrors(_ result: ImportResult) -> [FieldError] {
        do {
            _ = try WorkflowDefinition(parsing: result.definition)
            return []
        } catch {
            return error.errors
        }
    }
}

extension ImportReport {
    /// The entries at `pointer` (usually one).
    func entries(at pointer: String) -> [Entry] { entries.filter { $0.pointer == pointer } }

    /// The one entry at `pointer`, or `nil` when there is none or several.
    func entry(at pointer: String) -> Entry? {
        let found = entries(at: pointer)
        return found.count == 1 ? found[0] : nil
    }

    /// `outcome target` of the entry at `pointer` (`outcome` alone without a target), for compact
    /// expectations; `"none"` when there is no single entry.
    func summary(at pointer: String) -> String {
        guard let entry = entry(at: pointer) else { return entries(at: pointer).isEmpty ? "none" : "several" }
        return entry.target.map { "\(entry.outcome.rawValue) \($0)" } ?? entry.outcome.rawValue
    }
}
