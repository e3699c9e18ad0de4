import Crypto
import Foundation

/// The `hash` of a definition's content: the first 16 hex digits of the SHA-256 of its canonical
/// JSON (compact, object keys sorted). Publishing content with the latest version's hash
/// returns that version instead of creating a new one.
public enum ContentHash {
    public static func of(_ value: JSONValue) -> String {
        let digest = SHA256.hash(data: Data(JSONText.encode(value).utf8))
        return digest.prefix(8).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
