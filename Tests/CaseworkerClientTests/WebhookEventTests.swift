import Foundation
import OpenAPIRuntime
import Testing

@testable import CaseworkerClient

/// `WebhookVerifier.event`: a delivery signed the way the daemon signs decodes into the
/// document's `WebhookEvent`; anything else is refused before its body is read.
@Suite struct WebhookEventTests {
    static let secret = try! WebhookSecret(keyBytes: Array(repeating: 7, count: 32))
    static let body = Array(
        #"{"data":{"caseId":"01JDX3S5V7Q0B6W3T0M4E9K2ZP","correlationId":"order-7","error":null,"id":"01JDY0000000000000000000AB","result":{"decision":"approve","score":80},"status":"COMPLETED","version":2,"workflowDefinitionId":"kyc"},"timestamp":"2026-11-22T11:24:26.123Z","type":"workflow.completed"}"#
            .utf8)
    static let now = Date(timeIntervalSince1970: 1_795_000_000)

    static func headers(body: [UInt8] = body, secret: WebhookSecret = secret, at date: Date = now) -> [String: String] {
        Dictionary(
            uniqueKeysWithValues: WebhookSigner.headers(id: "msg_1", timestamp: WebhookSigner.timestamp(of: date), body: body, secrets: [secret])
                .map { ($0.name.capitalized, $0.value) })
    }

    @Test func aSignedDeliveryDecodesIntoTheDocumentsEvent() throws {
        let event = try WebhookVerifier(secret: Self.secret).event(headers: Self.headers(), body: Self.body, now: Self.now)
        #expect(event._type == .workflow_completed)
        #expect(event.data.id == "01JDY0000000000000000000AB" && event.data.status == .completed && event.data.version == 2)
        #expect(event.data.correlationId == "order-7" && event.data.error == nil)
        let result = try OpenAPIValueContainer(unvalidatedValue: ["decision": "approve", "score": 80] as [String: any Sendable])
        #expect(event.data.result == result)
        #expect(abs(event.timestamp.timeIntervalSince1970 - 1_795_346_666.123) < 0.0005, "fractional seconds are kept")
    }

    @Test func aForgedOrStaleDeliveryIsRefusedBeforeItsBodyIsRead() throws {
        let verifier = WebhookVerifier(secret: Self.secret)
        var tampered = Self.body
        tampered[tampered.firstIndex(of: UInt8(ascii: "8"))!] = UInt8(ascii: "9")
        #expect(throws: WebhookVerificationError.noMatchingSignature) {
            try verifier.event(headers: Self.headers(), body: tampered, now: Self.now)
        }
        let other = try WebhookSecret(keyBytes: Array(repeating: 8, count: 32))
        #expect(throws: WebhookVerificationError.noMatchingSignature) {
            try verifier.event(headers: Self.headers(secret: other), body: Self.body, now: Self.now)
        }
        #expect(throws: WebhookVerificationError.tooOld(timestamp: WebhookSigner.timestamp(of: Self.now))) {
            try verifier.event(headers: Self.headers(), body: Self.body, now: Self.now.addingTimeInterval(301))
        }
        // Authentic but not an event of the document: a decoding error, not a verification one.
        let notAnEvent = Array(#"{"type":"workflow.completed"}"#.utf8)
        #expect(throws: DecodingError.self) { try verifier.event(headers: Self.headers(body: notAnEvent), body: notAnEvent, now: Self.now) }
    }

    @Test func longPollsAskForTheRemainingWholeSecondsUpToTheLimit() {
        #expect(Caseworker.waitSeconds(for: .seconds(-1)) == 0)
        #expect(Caseworker.waitSeconds(for: .zero) == 0)
        #expect(Caseworker.waitSeconds(for: .milliseconds(1)) == 1)
        #expect(Caseworker.waitSeconds(for: .milliseconds(2500)) == 3)
        #expect(Caseworker.waitSeconds(for: .seconds(30)) == 30)
        #expect(Caseworker.waitSeconds(for: .seconds(3600)) == Caseworker.longPollSeconds)
    }
}
