/// How an outgoing HTTP exchange (a webhook delivery attempt, an `http.request` step) failed
/// before a complete response was received.
///
/// For deliveries every kind counts as a failed attempt to be retried; the kinds exist so that
/// the attempt log (and a step's error) can say what happened.
public enum TransportErrorKind: String, Sendable, Hashable, CaseIterable {
    /// No complete response within the exchange's timeout.
    case timeout
    /// The connection was refused (nothing listening).
    case connectionRefused
    /// The connection was reset or closed before a complete response.
    case connectionReset
    /// The host name could not be resolved.
    case dnsFailure
    /// Every resolved address was refused by the SSRF guard (`AddressPolicy`).
    case addressRefused
    /// The TLS handshake or certificate validation failed.
    case tls
    /// Any other transport failure.
    case other
}
