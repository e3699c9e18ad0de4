/// The rule that **null never decides**: a condition — the operands of `&&`, `||` and `!`, the
/// condition of `?:`, a `next` rule's `when`, a `switch` value — that is `null` is an evaluation
/// error, not `false` (SPEC 2.6). A value missing at run time (a typo the save-time checks could
/// not see, a provider answer without the member, a step that did not run) must never take a
/// branch silently; a definition that wants a default says so with `coalesce(x, false)`.
///
/// The engine ends the step `KO` with code `expression_error` and the message built here.
public enum NullDecision {
    /// Operand texts longer than this are cut in messages.
    static let maxOperandLength = 100

    /// Why a null condition fails, e.g. `the condition of '?:' needs a boolean, but
    /// state.sanctionHit is null (null never decides: write coalesce(state.sanctionHit, false)
    /// for a default)`.
    ///
    /// - Parameters:
    ///   - role: what needed the boolean: `'&&'`, `'||'`, `'!'`, `the condition of '?:'`,
    ///     `'when'`, `the switch value`.
    ///   - operand: the canonical text of the expression that was null.
    public static func reason(role: String, operand: String) -> String {
        let shown = operand.count > maxOperandLength ? String(operand.prefix(maxOperandLength)) + "…" : operand
        return "\(role) needs a boolean, but \(shown) is null (null never decides: write coalesce(\(shown), false) for a default)"
    }

    /// Why a `switch` whose value is null fails: a code `"null"` would take whatever branch
    /// matches it, or fall through.
    public static func switchReason(operand: String) -> String {
        let shown = operand.count > maxOperandLength ? String(operand.prefix(maxOperandLength)) + "…" : operand
        return "the switch value \(shown) is null (null never decides: write coalesce(\(shown), 'none') to branch on a default)"
    }
}

extension Step {
    /// The error that ends a `switch` step whose `value` evaluated to `null` (in `config`, the
    /// step's resolved config), or `nil` for any other step or value.
    public func nullSwitchValue(in config: JSONValue) -> ExpressionError? {
        guard action == .switch, config["value"] ?? .null == .null else { return nil }
        guard case .object(let members) = self.config, case .template(let template)? = members["value"] else {
            return ExpressionError(source: "null", column: 1, reason: NullDecision.switchReason(operand: "null"))
        }
        let operand = template.singleExpression?.description ?? template.source
        return ExpressionError(source: template.source, column: 1, reason: NullDecision.switchReason(operand: operand))
    }
}
