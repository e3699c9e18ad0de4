import Crypto
import Foundation

/// An endpoint's Standard Webhooks signing secret: the text `whsec_<base64>`, where the
/// base64 part (standard alphabet, padded) decodes to the raw HMAC-SHA256 key.
///
/// Contract:
/// - A value always holds a well-formed secret: the `whsec_` prefix, valid padded standard
///   base64, and a decoded key of `allowedKeyLengths` (24–64) bytes.
/// - `text` is the exact text the value was parsed from (or generated as); it is what the API
///   shows once and what the store keeps.
/// - `description` and `debugDescription` are redacted so that logging a secret never leaks it.
/// - Equality compares the key bytes (not in constant time: do not use `==` to verify anything).
public struct WebhookSecret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The prefix every secret's text starts with.
    public static let prefix = "whsec_"

    /// The accepted lengths, in bytes, of the decoded key.
    public static let allowedKeyLengths: ClosedRange<Int> = 24...64

    /// The length, in bytes, of a key made by `generate()`.
    public static let generatedKeyLength = 32

    /// The secret as text: `whsec_` followed by the standard, padded base64 of `bytes`.
    public let text: String

    /// The raw key bytes (the base64-decoded part after `whsec_`).
    public let bytes: [UInt8]

    /// The key for HMAC-SHA256, made from `bytes`.
    public var key: SymmetricKey { SymmetricKey(data: bytes) }

    /// Parses a secret from its text form `whsec_<base64>`.
    ///
    /// The text is taken as is: surrounding whitespace is not trimmed and makes it invalid.
    /// - Throws: `WebhookSecretError.missingPrefix` when the text does not start with `whsec_`;
    ///   `.invalidBase64` when the rest is not padded standard base64;
    ///   `.invalidKeyLength(n)` when it decodes to `n` bytes outside 24–64.
    public init(_ text: String) throws(WebhookSecretError) {
        guard text.hasPrefix(Self.prefix) else { throw .missingPrefix }
        let encoded = String(text.dropFirst(Self.prefix.count))
        guard !encoded.isEmpty, let data = Data(base64Encoded: encoded) else { throw .invalidBase64 }
        guard Self.allowedKeyLengths.contains(data.count) else { throw .invalidKeyLength(data.count) }
        self.text = text
        self.bytes = Array(data)
    }

    /// Makes a secret from raw key bytes; `text` becomes `whsec_` + padded base64 of them.
    /// - Throws: `WebhookSecretError.invalidKeyLength(n)` when `n` is outside 24–64.
    public init(keyBytes: [UInt8]) throws(WebhookSecretError) {
        guard Self.allowedKeyLengths.contains(keyBytes.count) else { throw .invalidKeyLength(keyBytes.count) }
        self.bytes = keyBytes
        self.text = Self.prefix + Data(keyBytes).base64EncodedString()
    }

    /// Generates a new secret of 32 random bytes from `SystemRandomNumberGenerator`
    /// (the operating system's cryptographically secure source).
    public static func generate() -> WebhookSecret {
        var generator = SystemRandomNumberGenerator()
        return generate(using: &generator)
    }

    /// Generates a new secret of 32 bytes drawn from `generator`.
    ///
    /// Only a cryptographically secure generator makes a secret fit for use; a seeded one is
    /// for tests.
    public static func generate(using generator: inout some RandomNumberGenerator) -> WebhookSecret {
        var key = [UInt8]()
        key.reserveCapacity(generatedKeyLength)
        for _ in 0..<generatedKeyLength {
            key.append(UInt8.random(in: .min ... .max, using: &generator))
        }
        // 32 is inside allowedKeyLengths, so this cannot fail.
        return try! WebhookSecret(keyBytes: key)
    }

    /// Redacted: `whsec_…` followed by nothing of the key.
    public var description: String { "\(Self.prefix)…(redacted)" }

    /// Redacted, as `description`.
    public var debugDescription: String { "WebhookSecret(\(description))" }

    /// Equal when the key bytes are equal (the texts then differ at most in non-canonical base64).
    public static func == (lhs: WebhookSecret, rhs: WebhookSecret) -> Bool { lhs.bytes == rhs.bytes }

    /// Hashes the key bytes, consistently with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(bytes) }
}
