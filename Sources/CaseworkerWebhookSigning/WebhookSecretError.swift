/// Why a text is not a valid `WebhookSecret`.
public enum WebhookSecretError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text does not start with `whsec_`.
    case missingPrefix
    /// The part after `whsec_` is empty or not standard, padded base64.
    case invalidBase64
    /// The decoded key has this many bytes, outside `WebhookSecret.allowedKeyLengths` (24–64).
    case invalidKeyLength(Int)

    /// A one-line explanation fit for an API error message (never contains the secret).
    public var description: String {
        switch self {
        case .missingPrefix: "the secret must start with \"whsec_\""
        case .invalidBase64: "the part after \"whsec_\" must be standard, padded base64"
        case .invalidKeyLength(let n):
            "the decoded key must be \(WebhookSecret.allowedKeyLengths.lowerBound)–\(WebhookSecret.allowedKeyLengths.upperBound) bytes, not \(n)"
        }
    }
}
