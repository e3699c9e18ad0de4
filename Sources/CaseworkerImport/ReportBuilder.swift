import CaseworkerCore

/// Collects a translation's report entries, in the order the translation meets the members, and
/// the members it keeps in the native definition's `metadata` (under `metadata.<format>`).
///
/// Contract: the translators record one entry for every member of the foreign body (or one for
/// an ancestor, covering its value). `keep` records the entry and copies the value in one call,
/// so a member reported kept is always in the metadata, at the entry's `target`.
struct ReportBuilder {
    let format: ImportFormat
    private(set) var entries: [ImportReport.Entry] = []
    /// What `metadata.<format>` holds.
    private(set) var kept: [String: JSONValue] = [:]
    private var pointers: Set<String> = []

    init(format: ImportFormat) {
        self.format = format
    }

    var report: ImportReport { ImportReport(format: format, entries: entries) }

    var isRefused: Bool { entries.contains { $0.outcome == .refused } }

    /// Whether some entry names `pointer` itself.
    func hasEntry(_ pointer: String) -> Bool { pointers.contains(pointer) }

    /// The native `metadata` member: `{<format>: {...}}`, or `nil` when nothing is kept.
    var metadata: JSONValue? {
        kept.isEmpty ? nil : .object([format.rawValue: .object(kept)])
    }

    /// Translated to `target`; `coveringValue` when the members inside are not reported one by
    /// one (a config copied as a whole).
    mutating func map(_ pointer: String, to target: String, coveringValue: Bool = false) {
        add(.init(pointer: pointer, outcome: .mapped, target: target, coversValue: coveringValue))
    }

    /// Absent in the foreign body; the native body states `value` at `target`.
    mutating func defaulted(_ pointer: String, to target: String, value: JSONValue) {
        add(.init(pointer: pointer, outcome: .defaulted, target: target, value: value, coversValue: true))
    }

    /// Copies `value` unchanged to `metadata.<format>.<path…>` and reports it kept there.
    mutating func keep(_ pointer: String, _ value: JSONValue, at path: [String]) {
        kept = Self.setting(value, at: path[...], in: kept)
        add(.init(pointer: pointer, outcome: .kept, target: metadataPointer(path), coversValue: true))
    }

    /// Writes `value` to `metadata.<format>.<path…>` without an entry of its own: context for a
    /// member reported otherwise (an EVENT task's sink, whose name became the event type).
    mutating func record(_ value: JSONValue, at path: [String]) {
        kept = Self.setting(value, at: path[...], in: kept)
    }

    /// Left out, with why nothing of its behaviour is lost.
    mutating func ignore(_ pointer: String, _ reason: String) {
        add(.init(pointer: pointer, outcome: .ignored, reason: reason, coversValue: true))
    }

    /// Cannot be translated: why, and what to do.
    mutating func refuse(_ pointer: String, _ reason: String) {
        add(.init(pointer: pointer, outcome: .refused, reason: reason, coversValue: true))
    }

    /// The pointer of `metadata.<format>.<path…>` in the native body.
    func metadataPointer(_ path: [String]) -> String {
        path.reduce("/metadata/" + format.rawValue) { JSONPointer.appending($1, to: $0) }
    }

    private mutating func add(_ entry: ImportReport.Entry) {
        entries.append(entry)
        pointers.insert(entry.pointer)
    }

    private static func setting(_ value: JSONValue, at path: ArraySlice<String>, in object: [String: JSONValue]) -> [String: JSONValue] {
        guard let first = path.first else { return object }
        var object = object
        if path.count == 1 {
            object[first] = value
        } else {
            object[first] = .object(setting(value, at: path.dropFirst(), in: object[first]?.objectValue ?? [:]))
        }
        return object
    }
}

extension JSONValue {
    /// `null`, `""`, `[]` or `{}`: a value that says nothing.
    var isEmptyValue: Bool {
        switch self {
        case .null: true
        case .string(let text): text.isEmpty
        case .array(let elements): elements.isEmpty
        case .object(let members): members.isEmpty
        default: false
        }
    }
}
