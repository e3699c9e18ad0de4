/// The bounds of one evaluation and the budget it has left (`ValueLimits`). One meter is shared
/// by every expression of a template or a config tree, so a step's whole config has one budget.
struct EvaluationMeter: Sendable {
    let limits: ValueLimits
    private(set) var remaining: Int

    init(limits: ValueLimits) {
        self.limits = limits
        remaining = limits.evaluationBudget
    }

    /// Spends `units`; `false` once the budget is exhausted.
    mutating func spend(_ units: Int) -> Bool {
        remaining -= min(units, remaining + 1)
        return remaining >= 0
    }

    /// The error for a result that passes `maxDepth` or `maxBytes`, or `nil` when it fits.
    func resultError(_ value: JSONValue, source: String) -> ExpressionError? {
        guard let violation = limits.violation(of: value) else { return nil }
        switch violation {
        case .tooDeep(let limit):
            return ExpressionError(
                source: source, column: 1, reason: "the result is nested deeper than \(limit) levels (limits.maxValueDepth)",
                kind: .valueTooDeep)
        case .tooLarge(let limit):
            return ExpressionError(
                source: source, column: 1,
                reason: "the result is larger than \(ValueLimits.bytesText(limit)) (limits.maxValueBytes)", kind: .valueTooLarge)
        }
    }
}
