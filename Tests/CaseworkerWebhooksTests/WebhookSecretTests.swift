import CaseworkerCore
import CaseworkerWebhookSigning
import Foundation
import CaseworkerTestSupport
import Testing
@testable import CaseworkerWebhooks

@Suite struct WebhookSecretTests {
    @Test func parsesTheSpecVectorSecret() throws {
        let secret = try WebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        #expect(secret.bytes.count == 24)
        #expect(secret.text == "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    }

    @Test func rejectsMalformedSecrets() {
        #expect(throws: WebhookSecretError.missingPrefix) { try WebhookSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") }
        #expect(throws: WebhookSecretError.invalidBase64) { try WebhookSecret("whsec_") }
        #expect(throws: WebhookSecretError.invalidBase64) { try WebhookSecret("whsec_not base64!") }
        // 43 characters of a 32-byte key without its padding: not padded base64.
        let unpadded = String(WebhookSecret.generate().text.dropLast())
        #expect(throws: WebhookSecretError.invalidBase64) { try WebhookSecret(unpadded) }
        let short = "whsec_" + Data(repeating: 1, count: 23).base64EncodedString()
        #expect(throws: WebhookSecretError.invalidKeyLength(23)) { try WebhookSecret(short) }
        let long = "whsec_" + Data(repeating: 1, count: 65).base64EncodedString()
        #expect(throws: WebhookSecretError.invalidKeyLength(65)) { try WebhookSecret(long) }
        #expect(throws: WebhookSecretError.invalidKeyLength(16)) { try WebhookSecret(keyBytes: Array(repeating: 0, count: 16)) }
    }

    @Test func acceptsKeyLengthBounds() throws {
        for n in [24, 64] {
            let text = "whsec_" + Data(repeating: 7, count: n).base64EncodedString()
            #expect(try WebhookSecret(text).bytes.count == n)
        }
    }

    @Test func generatesThirtyTwoRandomBytesThatRoundTrip() throws {
        let a = WebhookSecret.generate(), b = WebhookSecret.generate()
        #expect(a.bytes.count == 32)
        #expect(a.text.hasPrefix("whsec_"))
        #expect(a.text.count == 6 + 44)
        #expect(a != b)
        #expect(try WebhookSecret(a.text) == a)
        var rng = SplitMix64(seed: 1)
        var rng2 = SplitMix64(seed: 1)
        #expect(WebhookSecret.generate(using: &rng).text == WebhookSecret.generate(using: &rng2).text)
    }

    @Test func descriptionIsRedacted() {
        let secret = WebhookSecret.generate()
        #expect(!"\(secret)".contains(secret.text.dropFirst(6)))
        #expect(!String(reflecting: secret).contains(secret.text.dropFirst(6)))
    }
}
