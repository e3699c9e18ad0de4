/// When a failed attempt of a step is tried again (SPEC 2.4 `RetryPolicy`).
///
/// Applies to KO and TIMEOUT outcomes that the action marks retryable (transport errors, 5xx,
/// 429, timeouts). The delay before attempt n+1 is `initialDelaySeconds` (fixed) or
/// `initialDelaySeconds · 2^(n−1)` (exponential), capped at `maxDelaySeconds`; with `jitter`,
/// a uniformly random ±20% of it. A pure value: the engine supplies the random numbers.
public struct RetryPolicy: Sendable, Hashable {
    public enum Backoff: String, Sendable, Hashable, CaseIterable {
        case fixed, exponential
    }

    /// Attempts in all, including the first (1 = no retry). 1–100, default 3.
    public var maxAttempts: Int
    public var backoff: Backoff
    public var initialDelaySeconds: Double
    public var maxDelaySeconds: Double
    public var jitter: Bool

    public init(
        maxAttempts: Int = 3, backoff: Backoff = .exponential, initialDelaySeconds: Double = 1,
        maxDelaySeconds: Double = 300, jitter: Bool = true
    ) {
        self.maxAttempts = maxAttempts
        self.backoff = backoff
        self.initialDelaySeconds = initialDelaySeconds
        self.maxDelaySeconds = maxDelaySeconds
        self.jitter = jitter
    }

    /// The policy when neither the step nor the definition's `errorHandling` names one.
    public static let `default` = RetryPolicy()

    public static let jitterFraction = 0.2

    /// The delay in seconds before the attempt after `attempt` (1-based) failed, or `nil` when
    /// `attempt` was the last one.
    public func delay(afterAttempt attempt: Int, random: inout some RandomNumberGenerator) -> Double? {
        guard attempt >= 1, attempt < maxAttempts else { return nil }
        let base: Double
        switch backoff {
        case .fixed: base = initialDelaySeconds
        case .exponential: base = initialDelaySeconds * Double(1 << min(attempt - 1, 40))
        }
        let capped = min(base, maxDelaySeconds)
        guard jitter, capped > 0 else { return capped }
        let factor = Double.random(in: (1 - Self.jitterFraction)...(1 + Self.jitterFraction), using: &random)
        return capped * factor
    }
}
