/// How a delivery attempt failed before a complete HTTP response was received.
///
/// Every kind counts as a failed attempt to be retried; the kinds exist so that the attempt log
/// can say what happened.
public enum TransportErrorKind: String, Sendable, Hashable, CaseIterable {
    /// No complete response within the attempt timeout (15 s).
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
