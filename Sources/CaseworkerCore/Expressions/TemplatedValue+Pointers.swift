extension TemplatedValue {
    /// Every template in the tree with its JSON pointer, given the tree's own pointer `base`
    /// (object members in sorted key order): `/steps/2/config/set/decision` for the template of
    /// `set.decision` in a config parsed at `/steps/2/config`. Save-time checks report there.
    public func templatesWithPointers(at base: String) -> [(pointer: String, template: Template)] {
        switch self {
        case .constant: []
        case .template(let template): [(base, template)]
        case .array(let elements):
            elements.enumerated().flatMap { position, element in
                element.templatesWithPointers(at: JSONPointer.appending(position, to: base))
            }
        case .object(let members):
            members.keys.sorted().flatMap { key in members[key]!.templatesWithPointers(at: JSONPointer.appending(key, to: base)) }
        }
    }
}
