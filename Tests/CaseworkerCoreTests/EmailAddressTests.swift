import CaseworkerCore
import Testing

@Suite struct EmailAddressTests {
    @Test(arguments: [
        "ada@example.com", "a.b-c+tag@sub.example.co.uk", "x@a.io", "o'brien@example.ie", "UPPER@EXAMPLE.COM",
    ])
    func accepts(_ address: String) {
        #expect(EmailAddress.isValid(address))
    }

    @Test(arguments: [
        "", "ada", "ada@", "@example.com", "ada@example", "ada@@example.com", ".ada@example.com", "ada.@example.com",
        "a..b@example.com", "ada@-example.com", "ada@example-.com", "ada@exa mple.com", "ada lovelace@example.com",
        "ada@example.123", "\"quoted\"@example.com", "ada@[127.0.0.1]",
        String(repeating: "a", count: 65) + "@example.com", "ada@" + String(repeating: "a", count: 64) + ".com",
    ])
    func refuses(_ address: String) {
        #expect(!EmailAddress.isValid(address))
    }
}
