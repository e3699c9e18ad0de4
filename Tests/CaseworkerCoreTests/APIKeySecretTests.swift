import CaseworkerCore
import Testing

@Suite struct APIKeySecretTests {
    @Test func secretsAreLongRandomAndPrefixed() {
        let a = APIKeySecret.generate()
        let b = APIKeySecret.generate()
        #expect(a.text != b.text)
        #expect(a.text.hasPrefix("cwk_"))
        #expect(a.text.count == 4 + 43)
        #expect(Base64URL.decode(String(a.text.dropFirst(4)))?.count == 32)
        #expect(a.prefix == String(a.text.prefix(12)))
    }

    @Test func hashIsLowercaseHexSHA256() {
        // FIPS 180-2 test vector for "abc".
        #expect(APIKeySecret.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(APIKeySecret(text: "abc").hash == APIKeySecret.hash("abc"))
    }

    @Test func base64URLRoundTripsAndRefusesPadding() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(($0 * 37 + 11) % 256) }
            let text = Base64URL.encode(bytes)
            #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
            #expect(Base64URL.decode(text) == bytes)
        }
        #expect(Base64URL.decode("YQ==") == nil)
        #expect(Base64URL.decode("%%%") == nil)
    }
}
