import CaseworkerCore
import Foundation

/// What recording one attempt does to its delivery and its endpoint (`DeliveryStore.recordAttempt`),
/// decided from the attempt, the dispatcher's resolution and the endpoint's state as read in the
/// recording transaction: the same decision for every store, which writes it.
public struct DeliveryAttemptOutcome: Sendable, Hashable {
    /// The delivery's status after the attempt: `.retry` stays `PENDING` only while the endpoint is
    /// enabled (a disabled endpoint's retry fails).
    public var status: DeliveryStatus
    /// Unix milliseconds of the next attempt, while `PENDING`.
    public var nextAttemptAt: Int64?
    /// The attempt's error or unexpected HTTP status; `nil` after a success.
    public var lastError: String?
    /// The endpoint's `failing_since` after the attempt (Unix milliseconds): cleared by a success,
    /// kept by a failure when already set, else the failed attempt's time.
    public var failingSince: Int64?
    /// Why the attempt disables the endpoint (on `.gone`, or when `shouldDisableEndpoint` says it
    /// has failed for too long); `nil` when the endpoint stays as it is (it is already disabled,
    /// or it may go on).
    public var disablesEndpoint: String?

    /// - Parameters:
    ///   - endpointEnabled: whether the endpoint is enabled now.
    ///   - failingSince: the endpoint's `failing_since` now (Unix milliseconds).
    public init(
        attempt: DeliveryAttempt, resolution: DeliveryResolution, endpointEnabled: Bool, failingSince: Int64?,
        shouldDisableEndpoint: (_ failingSince: Date) -> Bool
    ) {
        var disableReason: String?
        switch resolution {
        case .succeeded: (status, nextAttemptAt) = (.succeeded, nil)
        case .retry(let date): (status, nextAttemptAt) = (.pending, Timestamp.millis(date))
        case .exhausted: (status, nextAttemptAt) = (.failed, nil)
        case .gone: (status, nextAttemptAt, disableReason) = (.failed, nil, "the receiver answered 410 Gone")
        }
        if status == .pending && !endpointEnabled { (status, nextAttemptAt) = (.failed, nil) }
        lastError = status == .succeeded ? nil : attempt.error ?? attempt.responseStatus.map { "the receiver answered HTTP \($0)" }
        if status == .succeeded {
            self.failingSince = nil
        } else {
            let since = failingSince ?? Timestamp.millis(attempt.at)
            self.failingSince = since
            if disableReason == nil, endpointEnabled, shouldDisableEndpoint(Timestamp.date(millis: since)) {
                disableReason = "failing without a successful delivery since \(Timestamp.rfc3339(millis: since))"
            }
        }
        disablesEndpoint = endpointEnabled ? disableReason : nil
    }
}

extension DeliveryAttempt {
    /// The most of a response body an attempt keeps, in UTF-8 bytes (the schema checks it).
    public static let storedResponseBodyBytes = 4096

    /// The response body as stored: its longest prefix of at most `storedResponseBodyBytes`
    /// UTF-8 bytes that ends on a character boundary.
    public var storedResponseBody: String? {
        guard let responseBody else { return nil }
        let utf8 = Array(responseBody.utf8)
        guard utf8.count > Self.storedResponseBodyBytes else { return responseBody }
        var end = Self.storedResponseBodyBytes
        // utf8[end] is the first byte left out: step back while it continues a character.
        while end > 0, utf8[end] & 0xC0 == 0x80 { end -= 1 }
        return String(decoding: utf8[..<end], as: UTF8.self)
    }
}

extension Duration {
    /// The duration in whole milliseconds (truncated), as the stores add it to Unix milliseconds.
    public var wholeMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
