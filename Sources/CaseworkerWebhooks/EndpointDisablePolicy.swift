import Foundation

/// When an endpoint that keeps failing is disabled: once it has failed without any success for
/// `period` (default 5 days, configurable). A pure value; time is injected.
public struct EndpointDisablePolicy: Sendable, Hashable {
    /// The default period: 5 days.
    public static let defaultPeriod: Duration = .seconds(5 * 86400)

    /// How long an endpoint may fail without a success before it is disabled.
    public var period: Duration

    /// Makes a policy; a negative `period` acts as zero (disable at the first failure).
    public init(period: Duration = EndpointDisablePolicy.defaultPeriod) {
        self.period = period
    }

    /// Whether to disable the endpoint now.
    ///
    /// - Parameters:
    ///   - firstFailureSinceLastSuccess: the moment of the first failed attempt after the last
    ///     successful one (or ever, if none succeeded); `nil` when the latest attempt succeeded
    ///     or none failed.
    ///   - now: the current moment.
    /// - Returns: `true` when `now - firstFailureSinceLastSuccess >= period`; always `false` for
    ///   `nil`.
    public func shouldDisable(firstFailureSinceLastSuccess: Date?, now: Date) -> Bool {
        guard let first = firstFailureSinceLastSuccess else { return false }
        return now.timeIntervalSince(first) >= max(period, .zero).seconds
    }
}
