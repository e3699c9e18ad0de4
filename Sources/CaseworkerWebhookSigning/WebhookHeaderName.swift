/// The names of the Standard Webhooks headers, lowercase as sent on the wire
/// (HTTP header names compare case-insensitively).
public enum WebhookHeaderName {
    /// `webhook-id`: the event id, the same on every attempt and every redelivery.
    public static let id = "webhook-id"
    /// `webhook-timestamp`: integer Unix seconds of this attempt.
    public static let timestamp = "webhook-timestamp"
    /// `webhook-signature`: space-separated `v1,<base64 MAC>` entries, one per active secret.
    public static let signature = "webhook-signature"
}
