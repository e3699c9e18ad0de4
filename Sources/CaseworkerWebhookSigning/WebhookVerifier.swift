import Foundation

/// Verifies a Standard Webhooks delivery: our own verifier, used by tests, by the receiving side
/// of integrations and to check our signer.
///
/// Checks, in this order (the order of the official libraries):
/// 1. the three headers are present (`missingHeader`);
/// 2. `webhook-timestamp` is a decimal integer (`badTimestamp`);
/// 3. it lies within `tolerance` of `now`, bounds inclusive (`tooOld` / `tooNew`);
/// 4. at least one `v1,` entry of `webhook-signature` matches the HMAC under at least one of
///    `secrets` (`noMatchingSignature`). Entries of other versions are ignored. As in the
///    official libraries, the canonical padded base64 text is compared (so a non-canonical
///    encoding of the right MAC is rejected), in time independent of where texts differ.
///
/// `now` is injected; the verifier never reads a clock.
public struct WebhookVerifier: Sendable {
    /// The default timestamp tolerance: 5 minutes either way.
    public static let defaultTolerance: Duration = .seconds(300)

    /// The secrets any of which may have signed the delivery.
    public var secrets: [WebhookSecret]

    /// How far the timestamp may be from `now`, in either direction (whole seconds are used).
    public var tolerance: Duration

    /// A verifier for one secret.
    public init(secret: WebhookSecret, tolerance: Duration = WebhookVerifier.defaultTolerance) {
        self.init(secrets: [secret], tolerance: tolerance)
    }

    /// A verifier accepting a signature under any of `secrets` (an empty list accepts nothing).
    public init(secrets: [WebhookSecret], tolerance: Duration = WebhookVerifier.defaultTolerance) {
        self.secrets = secrets
        self.tolerance = tolerance
    }

    /// Verifies a delivery given its headers; header names are matched case-insensitively
    /// (if several keys differ only in case, which one is used is unspecified).
    /// - Throws: `WebhookVerificationError` naming the first check that failed.
    public func verify(headers: [String: String], body: some DataProtocol, now: Date) throws(WebhookVerificationError) {
        func value(_ name: String) -> String? {
            if let exact = headers[name] { return exact }
            return headers.first { $0.key.lowercased() == name }?.value
        }
        try verify(
            id: value(WebhookHeaderName.id),
            timestamp: value(WebhookHeaderName.timestamp),
            signature: value(WebhookHeaderName.signature),
            body: body,
            now: now
        )
    }

    /// Verifies a delivery given the three header values (`nil` = header absent).
    /// - Throws: `WebhookVerificationError` naming the first check that failed.
    public func verify(
        id: String?, timestamp: String?, signature: String?, body: some DataProtocol, now: Date
    ) throws(WebhookVerificationError) {
        guard let id else { throw .missingHeader(WebhookHeaderName.id) }
        guard let timestamp else { throw .missingHeader(WebhookHeaderName.timestamp) }
        guard let signature else { throw .missingHeader(WebhookHeaderName.signature) }

        guard !timestamp.isEmpty, timestamp.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let seconds = Int64(timestamp)
        else { throw .badTimestamp(timestamp) }

        let nowSeconds = WebhookSigner.timestamp(of: now)
        let toleranceSeconds = max(0, tolerance.components.seconds)
        if seconds < nowSeconds &- toleranceSeconds { throw .tooOld(timestamp: seconds) }
        if seconds > nowSeconds &+ toleranceSeconds { throw .tooNew(timestamp: seconds) }

        let candidates: [[UInt8]] = signature.split(separator: " ").compactMap { entry in
            guard let comma = entry.firstIndex(of: ","), entry[..<comma] == "v1" else { return nil }
            return Array(entry[entry.index(after: comma)...].utf8)
        }
        var matched = false
        for secret in secrets {
            let mac = WebhookSigner.mac(id: id, timestamp: seconds, body: body, key: secret.key)
            let expected = Array(Data(mac).base64EncodedString().utf8)
            for candidate in candidates where constantTimeEqual(candidate, expected) {
                matched = true
            }
        }
        if !matched { throw .noMatchingSignature }
    }
}

/// Compares two byte arrays in time that depends only on their lengths.
func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for i in a.indices { difference |= a[i] ^ b[i] }
    return difference == 0
}
