import Crypto
import Foundation

/// The secret text of an API key, `cwk_` followed by 43 base64url characters (32 random bytes).
///
/// Only its SHA-256 is stored (`hash`); the secret itself is shown once, when the key is created.
/// `prefix` (the first 12 characters) is stored too, so that `caseworker keys list` can show which
/// key is which without revealing it.
public struct APIKeySecret: Sendable {
    public static let textPrefix = "cwk_"

    public let text: String

    /// A new secret from the system's cryptographically secure random generator.
    public static func generate() -> APIKeySecret {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return APIKeySecret(text: textPrefix + Base64URL.encode(bytes))
    }

    public init(text: String) {
        self.text = text
    }

    /// Lowercase hex SHA-256 of the secret text: what the database stores and looks keys up by.
    public var hash: String { APIKeySecret.hash(text) }

    /// The first 12 characters, safe to display.
    public var prefix: String { String(text.prefix(12)) }

    public static func hash(_ text: String) -> String {
        SHA256Hex.of(Data(text.utf8))
    }
}

/// Unpadded base64url (RFC 4648 §5).
public enum Base64URL {
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func decode(_ text: String) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !base64.contains("=") else { return nil }
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64).map { [UInt8]($0) }
    }
}

/// Lowercase hex SHA-256 of bytes (request fingerprints, key hashes).
public enum SHA256Hex {
    public static func of(_ bytes: some DataProtocol) -> String {
        SHA256.hash(data: bytes).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
