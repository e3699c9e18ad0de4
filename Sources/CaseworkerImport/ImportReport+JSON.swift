import CaseworkerCore

extension ImportReport {
    /// The report as the API and the CLI show it: `{format, refused, entries: [{pointer, outcome,
    /// target?, value?, reason?}]}` (written by the main developer; `coversValue` is not shown).
    public var jsonValue: JSONValue {
        let items: [JSONValue] = entries.map { entry in
            var object: [String: JSONValue] = ["pointer": .string(entry.pointer), "outcome": .string(entry.outcome.rawValue)]
            if let target = entry.target { object["target"] = .string(target) }
            if let value = entry.value { object["value"] = value }
            if let reason = entry.reason { object["reason"] = .string(reason) }
            return .object(object)
        }
        return ["format": .string(format.rawValue), "refused": .bool(isRefused), "entries": .array(items)]
    }
}
