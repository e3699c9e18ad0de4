import AsyncHTTPClient
import CaseworkerCore
import CaseworkerStore
import Foundation
import Logging
import NIOCore
import NIOSOCKS
import Testing

@testable import CaseworkerOutbound
@testable import CaseworkerWebhooks

/// The SSRF guard on real attempts: refused addresses are never connected to, and the allow-list
/// opens them. Only loopback is ever targeted; refused private addresses are refused before any
/// connection is tried.
@Suite struct SSRFGuardTests {
    @Test func byDefaultLoopbackPrivateAndMappedAddressesAreRefused() async throws {
        let h = try await Harness()
        defer { h.cleanUp() }
        try await Receiver.with { receiver in
            let targets = [
                "loopback": receiver.url("loopback"),
                "name": receiver.url("name", host: "localhost"),  // a host name resolving to 127.0.0.1
                "mapped": receiver.url("mapped", host: "[::ffff:127.0.0.1]"),
                "private": "http://10.0.0.1:9/e/private",
                "linklocal": "http://169.254.169.254/latest/meta-data",
                "cgnat": "http://100.64.0.1/e/cgnat",
            ]
            var endpoints: [String: String] = [:]
            for (name, url) in targets { endpoints[name] = try await h.endpoint(url).id }
            let ids = endpoints
            try await h.enqueue()
            try await h.withDispatcher(Harness.testConfiguration(allowed: [])) { _ in
                for (name, id) in ids.sorted(by: { $0.key < $1.key }) {
                    let delivery = try #require(try await h.waitForAttempts(id).first)
                    let attempt = try #require(try await h.detail(delivery.id).attempts.first)
                    #expect(attempt.responseStatus == nil, "\(name)")
                    #expect(attempt.error?.hasPrefix("addressRefused: destination refused by the SSRF guard: ") == true, "\(name): \(attempt.error ?? "")")
                    #expect(attempt.error?.contains(" is ") == true, "names the address and its range: \(attempt.error ?? "")")
                    if name == "private" {
                        #expect(attempt.error == "addressRefused: destination refused by the SSRF guard: 10.0.0.1 is private (10.0.0.0/8)")
                    }
                    #expect(delivery.status == .pending, "\(name): a refusal is a failed attempt, retried on schedule")
                }
            }
            #expect(receiver.all.isEmpty, "nothing reached the receiver")
        }
    }

    @Test func theAllowListOpensANameResolvingToLoopback() async throws {
        let h = try await Harness()
        defer { h.cleanUp() }
        try await Receiver.with { receiver in
            let byName = try await h.endpoint(receiver.url("name", host: "localhost"))
            try await h.enqueue()
            try await h.withDispatcher(Harness.testConfiguration(allowed: ["127.0.0.0/8"])) { _ in
                let delivery = try #require(try await h.waitForAttempts(byName.id).first)
                #expect(delivery.status == .succeeded)
            }
            #expect(receiver.received("name").count == 1)
        }
    }

    /// The proxy itself refuses: even a client that skipped the pre-check cannot connect to a
    /// refused address through it.
    @Test func theGuardProxyRefusesOnTheConnectionPath() async throws {
        try await Receiver.with { receiver in
            var logger = Logger(label: "proxy")
            logger.logLevel = .critical
            for (allowed, expectRefusal) in [([CIDR](), true), ([CIDR("127.0.0.0/8")!], false)] {
                let proxy = try await SSRFGuardProxy.start(
                    policy: Reloadable(AddressPolicy(allowedNetworks: allowed)), connectTimeout: .seconds(2), logger: logger)
                var configuration = HTTPClient.Configuration()
                configuration.proxy = .socksServer(host: "127.0.0.1", port: proxy.port)
                configuration.connectionPool.retryConnectionEstablishment = false
                let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
                var request = HTTPClientRequest(url: receiver.url("direct", host: "localhost"))
                request.method = .POST
                do {
                    let response = try await client.execute(request, timeout: .seconds(5))
                    #expect(!expectRefusal, "connected although refused")
                    #expect(response.status.code == 200)
                } catch let error as SOCKSError.ConnectionFailed {
                    #expect(expectRefusal, "refused although allowed")
                    #expect(error.reply == .notAllowed)
                }
                try await client.shutdown()
                try await proxy.close()
            }
            #expect(receiver.received("direct").count == 1)
        }
    }
}
