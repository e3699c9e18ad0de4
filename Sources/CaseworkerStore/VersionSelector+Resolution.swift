extension VersionSelector {
    /// The version number this selector names among `numbers`, every stored version number of a
    /// definition (the draft's `DefinitionVersion.draft` among them), ascending; `nil` when it
    /// names none.
    public func version(among numbers: [Int]) -> Int? {
        let latest = numbers.last { $0 >= 1 }
        let hasDraft = numbers.contains(DefinitionVersion.draft)
        switch self {
        case .current: return latest ?? (hasDraft ? DefinitionVersion.draft : nil)
        case .latest: return latest
        case .draft: return hasDraft ? DefinitionVersion.draft : nil
        case .number(let n): return numbers.contains(n) ? n : nil
        }
    }
}
