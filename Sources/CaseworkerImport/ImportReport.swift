import CaseworkerCore

/// What became of every member of a foreign definition: one entry per member, by its JSON
/// pointer in the foreign body.
///
/// An entry for a member covers that member's whole value when `coversValue` is true (an opaque
/// value kept, mapped or refused as a whole); otherwise the members inside it have entries of
/// their own. Every member of the body is accounted for by an entry at its pointer or at an
/// ancestor that covers its value.
public struct ImportReport: Sendable, Hashable {
    public enum Outcome: String, Sendable, Hashable {
        /// Translated to `target` in the native definition.
        case mapped
        /// Absent (or empty) in the foreign body; the native definition states `value`.
        case defaulted
        /// Kept unchanged in the native definition's `metadata`, at `target`.
        case kept
        /// Left out: it has no meaning here (`reason` says why); nothing of its behaviour is lost.
        case ignored
        /// Cannot be translated (`reason` says why); the import is refused.
        case refused
    }

    public struct Entry: Sendable, Hashable {
        /// JSON pointer of the member in the foreign body.
        public var pointer: String
        public var outcome: Outcome
        /// JSON pointer in the native definition, for `mapped` and `kept` (and `defaulted`).
        public var target: String?
        /// The value stated, for `defaulted`.
        public var value: JSONValue?
        /// Why, in a sentence; always present for `ignored` and `refused`.
        public var reason: String?
        public var coversValue: Bool

        public init(
            pointer: String, outcome: Outcome, target: String? = nil, value: JSONValue? = nil, reason: String? = nil,
            coversValue: Bool = false
        ) {
            self.pointer = pointer
            self.outcome = outcome
            self.target = target
            self.value = value
            self.reason = reason
            self.coversValue = coversValue
        }
    }

    public var format: ImportFormat
    public var entries: [Entry]

    public init(format: ImportFormat, entries: [Entry] = []) {
        self.format = format
        self.entries = entries
    }

    public var refusals: [Entry] { entries.filter { $0.outcome == .refused } }
    public var isRefused: Bool { entries.contains { $0.outcome == .refused } }
}
