/// The bounds on every value the daemon produces or accepts (SPEC 2.5, "Limits"): request
/// bodies, signal payloads, provider responses, template and expression results, step outputs,
/// run state and results. Enforcing them where a value is produced means that nothing the daemon
/// writes is something it cannot read back, and that no tenant's values grow without bound.
///
/// Configuration: the `limits` section (`etc/caseworker.yaml`, docs/operations.md "Limits").
public struct ValueLimits: Sendable, Hashable {
    /// The deepest nesting of arrays and objects in one value (`limits.maxValueDepth`, default
    /// 128). A request body deeper than this is 400; a step that would produce a deeper value ends
    /// `KO` with code `value_too_deep`.
    public var maxDepth: Int
    /// The largest value, in bytes of compact JSON (`limits.maxValueBytes`, default 1 MiB): an
    /// evaluated template or expression, a step's output, a run's input or result, a rate-limit
    /// key's text aside (`maxRateKeyBytes`). Past it: 422 at the API, `KO` `value_too_large` in a
    /// step.
    public var maxBytes: Int
    /// The largest run state, in bytes of compact JSON (`limits.maxStateBytes`, default 4 MiB).
    public var maxStateBytes: Int
    /// The work one evaluation may do (`limits.evaluationBudget`, default 1,000,000 units: one per
    /// syntax node visited, plus one per byte or element a function or operator reads, copies or
    /// compares). Past it the step ends `KO` with code `expression_budget_exceeded`; an
    /// evaluation that fits takes at most a few milliseconds.
    public var evaluationBudget: Int
    /// The longest evaluated `rateLimit.key`, in UTF-8 bytes (`limits.maxRateKeyBytes`, default
    /// 512). A longer key refuses the run start (422).
    public var maxRateKeyBytes: Int

    public init(
        maxDepth: Int = 128, maxBytes: Int = 1 << 20, maxStateBytes: Int = 4 << 20, evaluationBudget: Int = 1_000_000,
        maxRateKeyBytes: Int = 512
    ) {
        self.maxDepth = maxDepth
        self.maxBytes = maxBytes
        self.maxStateBytes = maxStateBytes
        self.evaluationBudget = evaluationBudget
        self.maxRateKeyBytes = maxRateKeyBytes
    }

    public static let `default` = ValueLimits()

    /// The most `maxDepth` may be set to: stored documents wrap values a few levels deep (a run's
    /// state in an object, a step's output in `steps.<id>.output`, a result in a webhook body),
    /// and every stored document must stay within what `JSONText.decode` reads
    /// (`JSONTextReader.maxDepth`, 256).
    public static let maxConfigurableDepth = 200

    /// Why `value` exceeds `maxDepth` or `byteLimit` (default `maxBytes`), or `nil` when it fits.
    /// The walk stops as soon as a bound is passed, so it costs at most about `byteLimit` bytes'
    /// worth of nodes.
    public func violation(of value: JSONValue, byteLimit: Int? = nil) -> Violation? {
        var meter = SizeMeter(maxDepth: maxDepth, maxBytes: byteLimit ?? maxBytes)
        return meter.measure(value, depth: 0) ? nil : meter.violation
    }

    /// A bound a value passed.
    public enum Violation: Error, Sendable, Hashable, CustomStringConvertible {
        /// Nested deeper than `limit` levels.
        case tooDeep(limit: Int)
        /// Larger than `limit` bytes of compact JSON.
        case tooLarge(limit: Int)

        /// The step outcome code: `value_too_deep` or `value_too_large`.
        public var code: String {
            switch self {
            case .tooDeep: "value_too_deep"
            case .tooLarge: "value_too_large"
            }
        }

        public var description: String {
            switch self {
            case .tooDeep(let limit): "the value is nested deeper than \(limit) levels"
            case .tooLarge(let limit): "the value is larger than \(ValueLimits.bytesText(limit))"
            }
        }
    }

    /// `1 MiB`, `512 bytes`, … for messages.
    public static func bytesText(_ bytes: Int) -> String {
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }

    /// The size of `value` in bytes of compact JSON, counted up to `limit` (a larger value
    /// answers some number above `limit`), and the nodes visited to count it. Strings count their
    /// UTF-8 bytes and quotes (escapes aside), integers their digits, other numbers 8 bytes.
    static func size(of value: JSONValue, upTo limit: Int) -> (bytes: Int, nodes: Int) {
        var meter = SizeMeter(maxDepth: Int.max, maxBytes: limit)
        _ = meter.measure(value, depth: 0)
        return (meter.bytes, meter.nodes)
    }
}

/// One walk over a value, stopping at the first bound passed.
private struct SizeMeter {
    let maxDepth: Int
    let maxBytes: Int
    var bytes = 0
    var nodes = 0
    var violation: ValueLimits.Violation?

    /// Counts `value` at nesting `depth`; `false` once a bound is passed.
    mutating func measure(_ value: JSONValue, depth: Int) -> Bool {
        nodes += 1
        switch value {
        case .null, .bool(true): bytes += 4
        case .bool(false): bytes += 5
        case .int(let integer): bytes += Self.digits(integer)
        case .double: bytes += 8
        case .string(let text): bytes += text.utf8.count + 2
        case .array(let elements):
            guard depth < maxDepth else { return fail(.tooDeep(limit: maxDepth)) }
            bytes += 1 + elements.count
            for element in elements where !measure(element, depth: depth + 1) { return false }
        case .object(let members):
            guard depth < maxDepth else { return fail(.tooDeep(limit: maxDepth)) }
            bytes += 1 + members.count
            for (key, member) in members {
                bytes += key.utf8.count + 3
                if !measure(member, depth: depth + 1) { return false }
            }
        }
        return bytes <= maxBytes || fail(.tooLarge(limit: maxBytes))
    }

    /// The characters of `integer` in decimal, sign included.
    private static func digits(_ integer: Int) -> Int {
        var count = integer < 0 ? 2 : 1
        var rest = integer.magnitude / 10
        while rest > 0 {
            count += 1
            rest /= 10
        }
        return count
    }

    private mutating func fail(_ violation: ValueLimits.Violation) -> Bool {
        self.violation = violation
        return false
    }
}
