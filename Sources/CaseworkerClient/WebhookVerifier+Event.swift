// Re-exported: a backend that imports CaseworkerClient verifies deliveries with `WebhookVerifier`
// and `WebhookSecret` (the daemon's own signing module) without a second import.
@_exported import CaseworkerWebhookSigning
import Foundation

extension WebhookVerifier {
    /// Verifies a webhook delivery from Caseworker and decodes its body: what a receiving
    /// endpoint calls first, before acting on anything in the request.
    ///
    /// The verification is the daemon's own (Standard Webhooks, the same code that signs the
    /// deliveries): the three `webhook-*` headers are present, `webhook-timestamp` is within the
    /// verifier's tolerance of `now` (5 minutes by default), and a `v1,` signature matches the
    /// HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` under one of the secrets. Only
    /// then is the body decoded.
    ///
    /// Pass the body exactly as received (no re-encoding) and the headers with any case. A
    /// delivery can arrive more than once: deduplicate by `webhook-id` (`headers`), the same on
    /// every attempt and redelivery of an event.
    ///
    /// - Throws: `WebhookVerificationError` when the delivery is not authentic (answer it 4xx
    ///   and ignore it), `DecodingError` when an authentic body is not an event of the document.
    public func event(headers: [String: String], body: some DataProtocol, now: Date = Date()) throws
        -> Components.Schemas.WebhookEvent
    {
        try verify(headers: headers, body: body, now: now)
        return try Self.eventDecoder.decode(Components.Schemas.WebhookEvent.self, from: Data(body))
    }

    /// Decodes event bodies as the generated client decodes answers: RFC 3339 timestamps with
    /// fractional seconds (the API writes milliseconds).
    private static var eventDecoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an RFC 3339 time with fractional seconds: \(text)")
            }
            return date
        }
        return decoder
    }
}
