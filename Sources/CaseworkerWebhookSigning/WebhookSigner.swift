import Crypto
import Foundation

/// Signs deliveries the Standard Webhooks way.
///
/// The signed content is the UTF-8 of `"{id}.{timestamp}."` followed by the body bytes
/// exactly as sent. Each secret contributes `v1,<base64(HMAC-SHA256(key, content))>` (standard,
/// padded base64); entries are joined by single spaces in the order of `secrets`. Output is
/// deterministic: the same inputs always give the same header.
public enum WebhookSigner {
    /// The `webhook-signature` value for one delivery attempt.
    ///
    /// - Parameters:
    ///   - id: the event id (the `webhook-id` header).
    ///   - timestamp: Unix seconds of this attempt (the `webhook-timestamp` header).
    ///   - body: the exact request body bytes.
    ///   - secrets: the endpoint's active secrets (during a rotation grace, old and new).
    /// - Returns: one `v1,…` entry per secret, space-separated; an empty string when `secrets`
    ///   is empty (callers must not deliver unsigned).
    public static func signature(
        id: String, timestamp: Int64, body: some DataProtocol, secrets: [WebhookSecret]
    ) -> String {
        secrets.map { "v1," + Data(mac(id: id, timestamp: timestamp, body: body, key: $0.key)).base64EncodedString() }
            .joined(separator: " ")
    }

    /// The three Standard Webhooks headers for one attempt, in the order
    /// `webhook-id`, `webhook-timestamp`, `webhook-signature`.
    ///
    /// The timestamp value is the decimal integer `timestamp`; the signature is
    /// `signature(id:timestamp:body:secrets:)`.
    public static func headers(
        id: String, timestamp: Int64, body: some DataProtocol, secrets: [WebhookSecret]
    ) -> [(name: String, value: String)] {
        [
            (WebhookHeaderName.id, id),
            (WebhookHeaderName.timestamp, String(timestamp)),
            (WebhookHeaderName.signature, signature(id: id, timestamp: timestamp, body: body, secrets: secrets)),
        ]
    }

    /// The Unix-seconds timestamp of `date`, rounded down (what `webhook-timestamp` carries).
    public static func timestamp(of date: Date) -> Int64 {
        Int64(date.timeIntervalSince1970.rounded(.down))
    }

    /// The raw HMAC-SHA256 of `"{id}.{timestamp}.{body}"` under `key` (32 bytes).
    static func mac(id: String, timestamp: Int64, body: some DataProtocol, key: SymmetricKey) -> [UInt8] {
        var hmac = HMAC<SHA256>(key: key)
        hmac.update(data: Array("\(id).\(timestamp).".utf8))
        hmac.update(data: body)
        return Array(hmac.finalize())
    }
}
