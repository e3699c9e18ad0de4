import Foundation

/// The values an expression can see, and the time it treats as "now".
///
/// Root identifiers resolve to `variables[name]`; the engine supplies `case`, `params`
/// (parameter values over the `variables` defaults), `input`, `state`, `steps` (an object of
/// `<id>: {output, status, code, attempt}`) and `run` (`{id, createdAt, correlationId}`).
/// A name that is not present evaluates to `null`.
///
/// Time is injected: `now` (as identifier or as `now()`) is always `now` formatted as RFC 3339
/// UTC with milliseconds, e.g. `2026-11-22T11:24:26.123Z`, replacing any `now` entry in
/// `variables`. Evaluation never reads the clock, so it is deterministic for a given context.
public struct EvaluationContext: Sendable {
    /// The root values by name, including `now` as its RFC 3339 string.
    public let variables: [String: JSONValue]
    /// The injected current time.
    public let now: Date
    /// `now` as RFC 3339 UTC with milliseconds.
    let nowText: String
    /// The bounds of every evaluation in this context (budget, result size and depth).
    public let limits: ValueLimits

    /// A context with the given root values, injected time and bounds (see the type's
    /// documentation).
    public init(variables: [String: JSONValue], now: Date, limits: ValueLimits = .default) {
        let nowText = Timestamp.rfc3339(now)
        var variables = variables
        variables["now"] = .string(nowText)
        self.variables = variables
        self.now = now
        self.nowText = nowText
        self.limits = limits
    }
}
