/// The numeric config members an action accepts (`timeoutSeconds`, `seconds`, `okStatus`,
/// `version`) and their rules, shared by the save-time check and the engine.
///
/// A numeric member is either a literal, checked at save, or a string that is exactly one
/// `${…}` expression (`"${params.reviewTimeout}"`), whose value is checked when the step runs:
/// a value outside the rule ends the step `KO` with code `invalid_config` and the same message a
/// literal gets at save. Text around the expression (`"${x}s"`) always makes a string and is
/// refused at save.
public enum ComputedNumber {
    /// What a numeric member must be.
    public enum Rule: Sendable, Hashable {
        /// A number of seconds in the range.
        case seconds(ClosedRange<Double>)
        /// An integer in the range.
        case integer(ClosedRange<Int>)
        /// An HTTP status (100–599) or a non-empty array of them.
        case statuses

        /// `nil` when `value` follows the rule, else what it must be (`must be ...`).
        public func problem(_ value: JSONValue) -> String? {
            switch self {
            case .seconds(let range):
                if let number = value.doubleValue, range.contains(number) { return nil }
                return "must be a number of seconds from \(Self.format(range.lowerBound)) to \(Self.format(range.upperBound))"
            case .integer(let range):
                if let number = value.intValue, range.contains(number) { return nil }
                return "must be an integer from \(range.lowerBound) to \(range.upperBound)"
            case .statuses:
                let codes = value.arrayValue ?? [value]
                if !codes.isEmpty, codes.allSatisfy({ $0.intValue.map { (100...599).contains($0) } == true }) { return nil }
                return "must be an HTTP status (100–599) or a non-empty array of them"
            }
        }

        private static func format(_ value: Double) -> String {
            value.rounded() == value ? String(Int(value)) : String(value)
        }
    }

    public static let maxHTTPTimeoutSeconds = 300.0
    /// The longest `timeoutSeconds` of an `exec` step: an hour.
    public static let maxExecTimeoutSeconds = 3600.0
    static let longestWait = 366.0 * 86_400

    /// The numeric config members of `action`, by name.
    public static func members(of action: ActionName) -> [(key: String, rule: Rule)] {
        switch action {
        case .httpRequest: [("timeoutSeconds", .seconds(0.001...maxHTTPTimeoutSeconds)), ("okStatus", .statuses)]
        case .wait: [("seconds", .seconds(0...longestWait))]
        case .await: [("timeoutSeconds", .seconds(0.001...longestWait))]
        case .workflowRun: [("version", .integer(1...Int(Int32.max)))]
        case .task: [("timeoutSeconds", .seconds(1...longestWait)), ("heartbeatSeconds", .seconds(1...3600))]
        case .exec: [("timeoutSeconds", .seconds(0.001...maxExecTimeoutSeconds))]
        case .transform, .switch, .complete, .fail, .eventEmit, .parallel: []
        }
    }

    /// The problems of the numeric members of a step's resolved `config` (templates evaluated),
    /// as `<member> <must be ...>, got <value>` texts; empty when every one is valid or absent.
    public static func problems(_ action: ActionName, resolved config: JSONValue) -> [String] {
        members(of: action).compactMap { key, rule in
            guard let value = config[key], !value.isNull, let problem = rule.problem(value) else { return nil }
            let shown = JSONText.encode(value)
            return "\(key) \(problem), got \(shown.count > 64 ? String(shown.prefix(64)) + "…" : shown)"
        }
    }
}
