import CaseworkerOutbound
import Foundation

/// What one delivery attempt's result means for the delivery and the endpoint.
///
/// Classification (`classify`):
/// - a transport error (any `TransportErrorKind`) → `retry(retryAfter: nil)`, whatever the status;
/// - no status and no error → `retry(retryAfter: nil)`;
/// - 200–299 → `success`;
/// - 410 Gone → `disableEndpoint` (the delivery is not retried);
/// - 429 and 503 → `retry(retryAfter:)` with the parsed `Retry-After`, `nil` if absent or invalid;
/// - every other status (1xx, 3xx — redirects are never followed —, 4xx, 5xx, out of range)
///   → `retry(retryAfter: nil)`; `Retry-After` is ignored on them.
public enum DeliveryOutcome: Sendable, Hashable {
    /// The receiver answered 2xx: the delivery succeeded.
    case success
    /// The attempt failed; schedule the next one (or mark the delivery FAILED if none is left).
    /// `retryAfter` is the receiver's requested delay, already parsed, to be clamped by
    /// `RetrySchedule`.
    case retry(retryAfter: Duration?)
    /// The receiver answered 410 Gone: disable the endpoint.
    case disableEndpoint

    /// Classifies one attempt; pure (`now` is only used to turn an HTTP-date into a delay).
    ///
    /// - Parameters:
    ///   - status: the HTTP status received, `nil` when none was.
    ///   - error: the transport failure, `nil` when the exchange completed.
    ///   - retryAfterHeader: the raw `Retry-After` header value, if any.
    ///   - now: the moment the response was received.
    public static func classify(
        status: Int?, error: TransportErrorKind?, retryAfterHeader: String?, now: Date
    ) -> DeliveryOutcome {
        guard error == nil, let status else { return .retry(retryAfter: nil) }
        switch status {
        case 200...299:
            return .success
        case 410:
            return .disableEndpoint
        case 429, 503:
            return .retry(retryAfter: retryAfterHeader.flatMap { RetryAfter.parse($0, now: now) })
        default:
            return .retry(retryAfter: nil)
        }
    }
}
