import Foundation

/// When each delivery attempt happens: a pure value; time and randomness are injected.
///
/// Attempts are numbered from 1. `delays[k]` is the delay before attempt `k + 1`, counted from
/// the moment the previous attempt finished (for attempt 1, from the moment the event was
/// enqueued), so `delays.count` is the total number of attempts. The default is
/// at once, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h (10 attempts) with ±20% jitter.
///
/// Jitter: the delay actually used is `delay × (1 + u)`, `u` uniform in `[-jitter, +jitter]`
/// (so a zero delay stays zero).
///
/// `Retry-After` clamping rule: when the receiver asked for a delay `r` (from a 429 or 503), the
/// delay used is `min(max(r, delay × (1 - jitter)), maxDelay)` with no jitter added, where
/// `delay` is the scheduled (un-jittered) delay of the next attempt and `maxDelay` is the
/// largest delay of the schedule. A receiver can thus push an attempt later, up to the longest
/// step of the schedule, or pull it earlier, but never before the earliest moment jitter could
/// have produced. Honouring `Retry-After` still uses up one attempt.
public struct RetrySchedule: Sendable, Hashable {
    /// The default delays: 0, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h.
    public static let defaultDelays: [Duration] = [
        .zero, .seconds(5), .seconds(5 * 60), .seconds(30 * 60),
        .seconds(2 * 3600), .seconds(5 * 3600), .seconds(10 * 3600),
        .seconds(14 * 3600), .seconds(20 * 3600), .seconds(24 * 3600),
    ]

    /// The default jitter fraction: 0.2 (±20%).
    public static let defaultJitter = 0.2

    /// The default schedule.
    public static let standard = RetrySchedule()

    /// The delay before each attempt; negative delays were raised to zero.
    public let delays: [Duration]

    /// The jitter fraction, in `0...1`.
    public let jitter: Double

    /// Makes a schedule. Negative delays become zero; `jitter` is clamped into `0...1`
    /// (NaN becomes 0). An empty `delays` means no attempt is ever made.
    public init(delays: [Duration] = RetrySchedule.defaultDelays, jitter: Double = RetrySchedule.defaultJitter) {
        self.delays = delays.map { max($0, .zero) }
        self.jitter = jitter.isNaN ? 0 : min(max(jitter, 0), 1)
    }

    /// The total number of attempts the schedule allows.
    public var attemptCount: Int { delays.count }

    /// The largest delay of the schedule (zero for an empty schedule).
    public var maxDelay: Duration { delays.max() ?? .zero }

    /// When the attempt after attempt `n` should happen.
    ///
    /// - Parameters:
    ///   - n: the number of attempts made so far (the number of the attempt that just failed);
    ///     0 asks for the first attempt; negative values count as 0.
    ///   - now: the moment attempt `n` finished (or the event was enqueued, for `n == 0`).
    ///   - retryAfter: the receiver's `Retry-After`, if it is to be honoured (see the type's
    ///     clamping rule).
    ///   - random: the source of jitter; drawn from once only when jitter applies (a non-zero
    ///     jitter, a non-zero delay and no `retryAfter`).
    /// - Returns: the moment of attempt `n + 1`, or `nil` when `n` attempts exhaust the schedule
    ///   (the delivery is then FAILED).
    public func nextAttempt(
        afterAttempt n: Int, at now: Date, retryAfter: Duration?, random: inout some RandomNumberGenerator
    ) -> Date? {
        let index = max(n, 0)
        guard index < delays.count else { return nil }
        let scheduled = delays[index].seconds
        let seconds: Double
        if let retryAfter {
            let floor = scheduled * (1 - jitter)
            seconds = min(max(retryAfter.seconds, floor), maxDelay.seconds)
        } else if jitter > 0, scheduled > 0 {
            seconds = scheduled * (1 + Double.random(in: -jitter...jitter, using: &random))
        } else {
            seconds = scheduled
        }
        return now.addingTimeInterval(seconds)
    }

    /// As `nextAttempt(afterAttempt:at:retryAfter:random:)`, with jitter from
    /// `SystemRandomNumberGenerator`.
    public func nextAttempt(afterAttempt n: Int, at now: Date, retryAfter: Duration?) -> Date? {
        var generator = SystemRandomNumberGenerator()
        return nextAttempt(afterAttempt: n, at: now, retryAfter: retryAfter, random: &generator)
    }
}
