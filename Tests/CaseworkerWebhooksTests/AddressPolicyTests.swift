import Testing
@testable import CaseworkerOutbound
@testable import CaseworkerWebhooks

@Suite struct AddressPolicyTests {
    /// Every default-blocked range with its first and last address and the expected reason.
    static let blocked: [(first: String, last: String, reason: String)] = [
        ("0.0.0.0", "0.255.255.255", "unspecified 0.0.0.0/8"),
        ("10.0.0.0", "10.255.255.255", "private 10.0.0.0/8"),
        ("100.64.0.0", "100.127.255.255", "CGNAT 100.64.0.0/10"),
        ("127.0.0.0", "127.255.255.255", "loopback 127.0.0.0/8"),
        ("169.254.0.0", "169.254.255.255", "link-local 169.254.0.0/16"),
        ("172.16.0.0", "172.31.255.255", "private 172.16.0.0/12"),
        ("192.0.0.0", "192.0.0.255", "reserved (IETF protocol assignments) 192.0.0.0/24"),
        ("192.0.2.0", "192.0.2.255", "documentation 192.0.2.0/24"),
        ("192.168.0.0", "192.168.255.255", "private 192.168.0.0/16"),
        ("198.18.0.0", "198.19.255.255", "benchmarking 198.18.0.0/15"),
        ("198.51.100.0", "198.51.100.255", "documentation 198.51.100.0/24"),
        ("203.0.113.0", "203.0.113.255", "documentation 203.0.113.0/24"),
        ("224.0.0.0", "239.255.255.255", "multicast 224.0.0.0/4"),
        ("240.0.0.0", "255.255.255.254", "reserved 240.0.0.0/4"),
        ("255.255.255.255", "255.255.255.255", "broadcast 255.255.255.255/32"),
        ("::", "::", "unspecified ::/128"),
        ("::1", "::1", "loopback ::1/128"),
        ("::2", "::ffff:ffff", "IPv4-compatible (deprecated) ::/96"),
        ("100::", "100::ffff:ffff:ffff:ffff", "discard-only 100::/64"),
        ("2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "documentation 2001:db8::/32"),
        ("fc00::", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "unique local fc00::/7"),
        ("fe80::", "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "link-local fe80::/10"),
        ("ff00::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "multicast ff00::/8"),
        // IPv4-mapped, NAT64 and 6to4 forms are judged by their embedded IPv4 address.
        ("::ffff:0.0.0.0", "::ffff:0.255.255.255", "IPv4-mapped unspecified 0.0.0.0/8"),
        ("::ffff:127.0.0.0", "::ffff:127.255.255.255", "IPv4-mapped loopback 127.0.0.0/8"),
        ("::ffff:10.0.0.0", "::ffff:10.255.255.255", "IPv4-mapped private 10.0.0.0/8"),
        ("::ffff:169.254.0.0", "::ffff:169.254.255.255", "IPv4-mapped link-local 169.254.0.0/16"),
        ("64:ff9b::127.0.0.0", "64:ff9b::127.255.255.255", "NAT64 loopback 127.0.0.0/8"),
        ("64:ff9b::192.168.0.0", "64:ff9b::192.168.255.255", "NAT64 private 192.168.0.0/16"),
        ("2002:7f00::", "2002:7fff:ffff:ffff:ffff:ffff:ffff:ffff", "6to4 loopback 127.0.0.0/8"),
        ("2002:a00::", "2002:aff:ffff:ffff:ffff:ffff:ffff:ffff", "6to4 private 10.0.0.0/8"),
    ]

    @Test(arguments: blocked)
    func blockedByDefault(range: (first: String, last: String, reason: String)) throws {
        let policy = AddressPolicy()
        for text in [range.first, range.last] {
            let address = try #require(IPAddress(text), "\(text)")
            #expect(policy.check(address) == .refused(reason: range.reason), "\(text)")
        }
    }

    @Test(arguments: [
        "8.8.8.8", "1.1.1.1", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0", "126.255.255.255",
        "128.0.0.0", "169.253.255.255", "169.255.0.0", "172.15.255.255", "172.32.0.0", "192.0.1.0", "192.0.3.0",
        "192.167.255.255", "192.169.0.0", "198.17.255.255", "198.20.0.0", "223.255.255.255",
        "2606:4700::1111", "2001:4860:4860::8888", "::1:0:0:0", "::fffe:ffff:ffff", "::1:ffff:0:1", "2001:db7:ffff::",
        "2001:db9::", "fbff::", "fe00::", "fec0::", "feff::", "64:ff9b::8.8.8.8", "2002:808:808::", "::ffff:8.8.8.8",
        "101::", "100:0:0:1::",
    ])
    func publicAddressesAreAllowed(text: String) throws {
        let address = try #require(IPAddress(text))
        #expect(AddressPolicy().check(address) == .allowed, "\(text)")
    }

    @Test func ipv4MappedForms() {
        let policy = AddressPolicy()
        #expect(policy.check(IPAddress("::ffff:127.0.0.1")!) == .refused(reason: "IPv4-mapped loopback 127.0.0.0/8"))
        #expect(policy.check(IPAddress("::ffff:10.0.0.1")!) == .refused(reason: "IPv4-mapped private 10.0.0.0/8"))
        #expect(policy.check(IPAddress("::ffff:7f00:1")!) == .refused(reason: "IPv4-mapped loopback 127.0.0.0/8"))
        #expect(policy.check(IPAddress("::FFFF:A00:1")!) == .refused(reason: "IPv4-mapped private 10.0.0.0/8"))
    }

    @Test func allowListOpensLoopback() throws {
        let policy = AddressPolicy(allowedNetworks: [try #require(CIDR("127.0.0.0/8"))])
        #expect(policy.check(IPAddress("127.0.0.1")!) == .allowed)
        #expect(policy.check(IPAddress("127.255.255.255")!) == .allowed)
        #expect(policy.check(IPAddress("::ffff:127.0.0.1")!) == .allowed, "the mapped form of an opened address")
        #expect(policy.check(IPAddress("::1")!) == .refused(reason: "loopback ::1/128"))
        #expect(policy.check(IPAddress("10.0.0.1")!) == .refused(reason: "private 10.0.0.0/8"))
        #expect(policy.check(IPAddress("64:ff9b::127.0.0.1")!) == .refused(reason: "NAT64 loopback 127.0.0.0/8"))
        #expect(policy.check(IPAddress("8.8.8.8")!) == .allowed)
    }

    @Test func allowListWithIPv6Networks() throws {
        let policy = AddressPolicy(allowedNetworks: [CIDR("::1/128")!, CIDR("fd00:1::/32")!, CIDR("::ffff:10.0.0.0/104")!])
        #expect(policy.check(IPAddress("::1")!) == .allowed)
        #expect(policy.check(IPAddress("fd00:1:2::3")!) == .allowed)
        #expect(policy.check(IPAddress("fd00:2::3")!) == .refused(reason: "unique local fc00::/7"))
        #expect(policy.check(IPAddress("10.1.2.3")!) == .allowed, "an IPv4 address whose mapped form is opened")
        #expect(policy.check(IPAddress("127.0.0.1")!) == .refused(reason: "loopback 127.0.0.0/8"))
    }
}
