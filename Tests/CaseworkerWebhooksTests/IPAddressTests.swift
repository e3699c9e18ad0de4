import Testing
@testable import CaseworkerOutbound
@testable import CaseworkerWebhooks

@Suite struct IPAddressTests {
    @Test func parsesIPv4() {
        #expect(IPAddress("127.0.0.1") == .v4(0x7F00_0001))
        #expect(IPAddress("0.0.0.0") == .v4(0))
        #expect(IPAddress("255.255.255.255") == .v4(.max))
        for bad in ["", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1.2.3.-4", "1..3.4", "0x7f.0.0.1",
                    "127.1", "2130706433", " 1.2.3.4", "1.2.3.4 ", "1.2.3.4/32", "１.2.3.4"] {
            #expect(IPAddress(bad) == nil, "\(bad)")
        }
    }

    @Test func parsesIPv6() {
        #expect(IPAddress("::") == .v6(0))
        #expect(IPAddress("::1") == .v6(1))
        #expect(IPAddress("1::") == .v6(1 << 112))
        #expect(IPAddress("2606:4700::1111") == .v6(0x2606_4700 << 96 | 0x1111))
        #expect(IPAddress("2606:4700:0:0:0:0:0:1111") == IPAddress("2606:4700::1111"))
        #expect(IPAddress("FE80::A") == IPAddress("fe80::a"))
        #expect(IPAddress("::ffff:127.0.0.1") == .v6(0xFFFF_7F00_0001))
        #expect(IPAddress("::ffff:7f00:1") == IPAddress("::ffff:127.0.0.1"))
        #expect(IPAddress("1:2:3:4:5:6:1.2.3.4") == .v6(IPAddress("1:2:3:4:5:6:102:304")!.v6Value))
        #expect(IPAddress("1:2:3:4:5:6:7::") != nil)
        #expect(IPAddress("::2:3:4:5:6:7:8") != nil)
        for bad in [":", ":::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3", ":1::", "1:::2", "12345::",
                    "g::", "::1.2.3", "1.2.3.4::", "::1.2.3.4:5", "1:2:3:4:5:6:7:1.2.3.4", "fe80::1%eth0",
                    "[::1]", "::1/128", "1:2:3:4:5:6:7:8::"] {
            #expect(IPAddress(bad) == nil, "\(bad)")
        }
    }

    @Test func canonicalText() {
        for (input, text) in [("127.0.0.1", "127.0.0.1"), ("::", "::"), ("::1", "::1"), ("1::", "1::"),
                              ("2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1"), ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
                              ("::ffff:7f00:1", "::ffff:127.0.0.1"), ("2606:4700:0000::1111", "2606:4700::1111"),
                              ("1:0:0:2:0:0:0:3", "1:0:0:2::3")] {
            #expect(IPAddress(input)?.description == text, "\(input)")
        }
    }

    @Test func bytesRoundTrip() {
        #expect(IPAddress(bytes: [127, 0, 0, 1]) == IPAddress("127.0.0.1"))
        #expect(IPAddress(bytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 10, 0, 0, 1]) == IPAddress("::ffff:10.0.0.1"))
        #expect(IPAddress(bytes: [1, 2, 3]) == nil)
        for text in ["8.8.8.8", "2606:4700::1111", "fe80::1", "::ffff:1.2.3.4"] {
            let address = IPAddress(text)!
            #expect(IPAddress(bytes: address.bytes) == address)
        }
        #expect(IPAddress("::ffff:10.0.0.1")?.ipv4Mapped == IPAddress("10.0.0.1"))
        #expect(IPAddress("10.0.0.1")?.mappedToIPv6 == IPAddress("::ffff:10.0.0.1"))
    }

    @Test func cidrParsingAndMembership() throws {
        let ten = try #require(CIDR("10.0.0.0/8"))
        #expect(ten.contains(IPAddress("10.255.255.255")!))
        #expect(!ten.contains(IPAddress("11.0.0.0")!))
        #expect(!ten.contains(IPAddress("::ffff:10.0.0.1")!), "families never mix in CIDR")
        let loop6 = try #require(CIDR("::1/128"))
        #expect(loop6.contains(IPAddress("::1")!))
        #expect(!loop6.contains(IPAddress("::2")!))
        #expect(CIDR("10.1.2.3/8") == ten)
        #expect(CIDR("10.1.2.3/8")?.description == "10.0.0.0/8")
        #expect(CIDR("1.2.3.4")?.prefixLength == 32)
        #expect(CIDR("fe80::1")?.prefixLength == 128)
        #expect(CIDR("0.0.0.0/0")?.contains(IPAddress("8.8.8.8")!) == true)
        #expect(CIDR("::/0")?.contains(IPAddress("2606:4700::1111")!) == true)
        #expect(CIDR("fc00::/7")?.contains(IPAddress("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")!) == true)
        for bad in ["10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/08", "10.0.0.0/8/8", "/8", "x/8", "10.0.0.0/ 8"] {
            #expect(CIDR(bad) == nil, "\(bad)")
        }
    }
}

extension IPAddress {
    var v6Value: UInt128 { if case .v6(let v) = self { v } else { 0 } }
}
