/// Why `WebhookVerifier` rejected a delivery.
public enum WebhookVerificationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The named header (`webhook-id`, `webhook-timestamp` or `webhook-signature`) is absent.
    case missingHeader(String)
    /// `webhook-timestamp` is not a decimal integer of Unix seconds; carries the value received.
    case badTimestamp(String)
    /// The timestamp is earlier than `now - tolerance`.
    case tooOld(timestamp: Int64)
    /// The timestamp is later than `now + tolerance`.
    case tooNew(timestamp: Int64)
    /// No `v1,` entry matched the HMAC under any of the verifier's secrets.
    case noMatchingSignature

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .missingHeader(let name): "missing header \(name)"
        case .badTimestamp(let value): "webhook-timestamp is not integer Unix seconds: \(value)"
        case .tooOld(let t): "webhook-timestamp \(t) is too old"
        case .tooNew(let t): "webhook-timestamp \(t) is too far in the future"
        case .noMatchingSignature: "no matching v1 signature"
        }
    }
}
