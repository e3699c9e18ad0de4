import CaseworkerCore
import CaseworkerWebhookSigning
import Foundation
import Testing
@testable import CaseworkerWebhooks

@Suite struct WebhookSignatureTests {
    // The known-answer vector from the Standard Webhooks specification's test suite.
    static let vectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let vectorID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    static let vectorTimestamp: Int64 = 1614265330
    static let vectorBody = Array(#"{"test": 2432232314}"#.utf8)
    static let vectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    static let vectorNow = Date(timeIntervalSince1970: 1614265330)

    @Test func signerReproducesTheSpecVector() throws {
        let secret = try WebhookSecret(Self.vectorSecret)
        let signature = WebhookSigner.signature(
            id: Self.vectorID, timestamp: Self.vectorTimestamp, body: Self.vectorBody, secrets: [secret])
        #expect(signature == Self.vectorSignature)
        // Data bodies sign the same.
        #expect(WebhookSigner.signature(
            id: Self.vectorID, timestamp: Self.vectorTimestamp, body: Data(Self.vectorBody), secrets: [secret])
            == Self.vectorSignature)
    }

    @Test func verifierAcceptsTheSpecVector() throws {
        let verifier = WebhookVerifier(secret: try WebhookSecret(Self.vectorSecret))
        try verifier.verify(
            headers: [
                "webhook-id": Self.vectorID,
                "webhook-timestamp": "1614265330",
                "webhook-signature": Self.vectorSignature,
            ],
            body: Self.vectorBody, now: Self.vectorNow)
        // Header names are case-insensitive; unknown versions and junk entries are skipped.
        try verifier.verify(
            headers: [
                "Webhook-Id": Self.vectorID,
                "WEBHOOK-TIMESTAMP": "1614265330",
                "Webhook-Signature": "v2,abc v1,@@@ v1,Zm9v " + Self.vectorSignature,
            ],
            body: Self.vectorBody, now: Self.vectorNow)
    }

    @Test func headersAreTheThreeStandardOnes() throws {
        let secret = try WebhookSecret(Self.vectorSecret)
        let headers = WebhookSigner.headers(
            id: Self.vectorID, timestamp: Self.vectorTimestamp, body: Self.vectorBody, secrets: [secret])
        #expect(headers.map(\.name) == ["webhook-id", "webhook-timestamp", "webhook-signature"])
        #expect(headers.map(\.value) == [Self.vectorID, "1614265330", Self.vectorSignature])
    }

    @Test func roundTripWithGeneratedSecrets() throws {
        let now = Date(timeIntervalSince1970: 1_700_000_000.75)
        let timestamp = WebhookSigner.timestamp(of: now)
        #expect(timestamp == 1_700_000_000)
        for _ in 0..<20 {
            let secret = WebhookSecret.generate()
            let body = Array(#"{"type":"case.created","data":{"id":"c_1"}}"#.utf8)
            let headers = Dictionary(uniqueKeysWithValues: WebhookSigner.headers(
                id: "evt_1", timestamp: timestamp, body: body, secrets: [secret]).map { ($0.name, $0.value) })
            try WebhookVerifier(secret: secret).verify(headers: headers, body: body, now: now)
            #expect(throws: WebhookVerificationError.noMatchingSignature) {
                try WebhookVerifier(secret: WebhookSecret.generate()).verify(headers: headers, body: body, now: now)
            }
        }
    }

    @Test func multipleSecretsGiveOneEntryEachAndEachVerifies() throws {
        let old = try WebhookSecret(Self.vectorSecret)
        let new = WebhookSecret.generate()
        let signature = WebhookSigner.signature(
            id: Self.vectorID, timestamp: Self.vectorTimestamp, body: Self.vectorBody, secrets: [old, new])
        let entries = signature.split(separator: " ")
        #expect(entries.count == 2)
        #expect(entries.allSatisfy { $0.hasPrefix("v1,") })
        #expect(entries[0] == Self.vectorSignature[...])
        for secret in [old, new] {
            try WebhookVerifier(secret: secret).verify(
                id: Self.vectorID, timestamp: "1614265330", signature: signature,
                body: Self.vectorBody, now: Self.vectorNow)
        }
        // A receiver that knows both secrets accepts too; a receiver knowing neither does not.
        try WebhookVerifier(secrets: [new, old]).verify(
            id: Self.vectorID, timestamp: "1614265330", signature: signature, body: Self.vectorBody, now: Self.vectorNow)
        #expect(throws: WebhookVerificationError.noMatchingSignature) {
            try WebhookVerifier(secrets: []).verify(
                id: Self.vectorID, timestamp: "1614265330", signature: signature, body: Self.vectorBody, now: Self.vectorNow)
        }
        #expect(WebhookSigner.signature(id: "x", timestamp: 1, body: [UInt8](), secrets: []) == "")
    }

    @Test func tamperingIsRejected() throws {
        let verifier = WebhookVerifier(secret: try WebhookSecret(Self.vectorSecret))
        func verify(id: String = Self.vectorID, timestamp: String = "1614265330", body: [UInt8] = Self.vectorBody,
                    signature: String = Self.vectorSignature) throws(WebhookVerificationError) {
            try verifier.verify(id: id, timestamp: timestamp, signature: signature, body: body, now: Self.vectorNow)
        }
        #expect(throws: WebhookVerificationError.noMatchingSignature) { try verify(body: Array(#"{"test": 2432232315}"#.utf8)) }
        #expect(throws: WebhookVerificationError.noMatchingSignature) { try verify(body: Self.vectorBody + [0x20]) }
        #expect(throws: WebhookVerificationError.noMatchingSignature) { try verify(id: "msg_p5jXN8AQM9LWM0D4loKWxJeK") }
        #expect(throws: WebhookVerificationError.noMatchingSignature) { try verify(timestamp: "1614265331") }
        #expect(throws: WebhookVerificationError.noMatchingSignature) {
            try verify(signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OF=")
        }
        #expect(throws: WebhookVerificationError.noMatchingSignature) {
            try verify(signature: "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        }
        #expect(throws: WebhookVerificationError.noMatchingSignature) { try verify(signature: "") }
    }

    @Test func missingHeadersAndBadTimestamps() throws {
        let verifier = WebhookVerifier(secret: try WebhookSecret(Self.vectorSecret))
        let body = Self.vectorBody, now = Self.vectorNow
        #expect(throws: WebhookVerificationError.missingHeader("webhook-id")) {
            try verifier.verify(headers: ["webhook-timestamp": "1", "webhook-signature": "v1,x"], body: body, now: now)
        }
        #expect(throws: WebhookVerificationError.missingHeader("webhook-timestamp")) {
            try verifier.verify(headers: ["webhook-id": "a", "webhook-signature": "v1,x"], body: body, now: now)
        }
        #expect(throws: WebhookVerificationError.missingHeader("webhook-signature")) {
            try verifier.verify(headers: ["webhook-id": "a", "webhook-timestamp": "1"], body: body, now: now)
        }
        for bad in ["", "abc", "1614265330.5", "-1614265330", " 1614265330", "99999999999999999999"] {
            #expect(throws: WebhookVerificationError.badTimestamp(bad)) {
                try verifier.verify(id: Self.vectorID, timestamp: bad, signature: Self.vectorSignature, body: body, now: now)
            }
        }
    }

    @Test func timestampToleranceUsesInjectedNow() throws {
        let secret = try WebhookSecret(Self.vectorSecret)
        let verifier = WebhookVerifier(secret: secret)
        func verify(now seconds: Double, tolerance: Duration = WebhookVerifier.defaultTolerance) throws(WebhookVerificationError) {
            try WebhookVerifier(secret: secret, tolerance: tolerance).verify(
                id: Self.vectorID, timestamp: "1614265330", signature: Self.vectorSignature,
                body: Self.vectorBody, now: Date(timeIntervalSince1970: seconds))
        }
        #expect(verifier.tolerance == .seconds(300))
        try verify(now: 1614265330 + 300)        // exactly 5 minutes later: still accepted
        try verify(now: 1614265330 - 300)        // exactly 5 minutes early: still accepted
        try verify(now: 1614265330 + 300.9)      // sub-second part of now is dropped
        #expect(throws: WebhookVerificationError.tooOld(timestamp: 1614265330)) { try verify(now: 1614265330 + 301) }
        #expect(throws: WebhookVerificationError.tooNew(timestamp: 1614265330)) { try verify(now: 1614265330 - 301) }
        try verify(now: 1614265330 + 3600, tolerance: .seconds(3600))
        #expect(throws: WebhookVerificationError.tooOld(timestamp: 1614265330)) {
            try verify(now: 1614265330 + 1, tolerance: .zero)
        }
        // The window is checked before the signature: a stale forgery reports tooOld.
        #expect(throws: WebhookVerificationError.tooOld(timestamp: 1)) {
            try verifier.verify(id: "x", timestamp: "1", signature: "v1,AAAA", body: [UInt8](), now: Self.vectorNow)
        }
    }
}
