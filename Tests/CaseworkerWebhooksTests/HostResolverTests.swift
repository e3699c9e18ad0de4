import Testing
@testable import CaseworkerOutbound
@testable import CaseworkerWebhooks

/// Resolution only of "localhost" and numeric hosts: no network traffic.
@Suite struct HostResolverTests {
    @Test func localhostResolvesToLoopback() throws {
        let addresses = try HostResolver.resolve(host: "localhost", port: 80)
        #expect(addresses.contains(IPAddress("127.0.0.1")!))
    }

    @Test func localhostIsRefusedByDefault() throws {
        let error = try #require(throws: HostResolutionError.self) {
            try AddressPolicy().resolveAndCheck(host: "localhost", port: 8080)
        }
        guard case .allAddressesRefused(let host, let refusals) = error else {
            Issue.record("unexpected \(error)")
            return
        }
        #expect(host == "localhost")
        #expect(refusals.contains(AddressRefusal(address: IPAddress("127.0.0.1")!, reason: "loopback 127.0.0.0/8")))
        #expect(refusals.allSatisfy { $0.reason.contains("loopback") })
        #expect(error.description.contains("127.0.0.1 (loopback 127.0.0.0/8)"))
    }

    @Test func localhostIsAllowedWhenLoopbackIsOpened() throws {
        let policy = AddressPolicy(allowedNetworks: [CIDR("127.0.0.0/8")!])
        let addresses = try policy.resolveAndCheck(host: "localhost", port: 8080)
        #expect(addresses.contains(IPAddress("127.0.0.1")!))
        #expect(!addresses.contains(IPAddress("::1")!), "::1 is not opened by 127.0.0.0/8")
        #expect(addresses.allSatisfy { policy.check($0) == .allowed })
    }

    @Test func numericHostsIncludingOddIPv4Forms() throws {
        let open = AddressPolicy(allowedNetworks: [CIDR("127.0.0.0/8")!, CIDR("::1/128")!])
        #expect(try open.resolveAndCheck(host: "127.0.0.1", port: 1) == [IPAddress("127.0.0.1")!])
        #expect(try open.resolveAndCheck(host: "[::1]", port: 1) == [IPAddress("::1")!])
        #expect(try open.resolveAndCheck(host: "::1", port: 1) == [IPAddress("::1")!])
        // The system resolver reads these as 127.0.0.1: the check on the resolved address catches them.
        for host in ["2130706433", "127.1", "0x7f.0.0.1"] {
            #expect(throws: HostResolutionError.allAddressesRefused(
                host: host, refusals: [AddressRefusal(address: IPAddress("127.0.0.1")!, reason: "loopback 127.0.0.0/8")])) {
                try AddressPolicy().resolveAndCheck(host: host, port: 443)
            }
        }
        #expect(throws: HostResolutionError.allAddressesRefused(
            host: "::ffff:10.0.0.1",
            refusals: [AddressRefusal(address: IPAddress("::ffff:10.0.0.1")!, reason: "IPv4-mapped private 10.0.0.0/8")])) {
            try AddressPolicy().resolveAndCheck(host: "::ffff:10.0.0.1", port: 443)
        }
    }

    @Test func invalidTargets() {
        #expect(throws: HostResolutionError.invalidTarget(host: "", port: 80)) { try HostResolver.resolve(host: "", port: 80) }
        #expect(throws: HostResolutionError.invalidTarget(host: "localhost", port: 70000)) {
            try HostResolver.resolve(host: "localhost", port: 70000)
        }
    }
}
