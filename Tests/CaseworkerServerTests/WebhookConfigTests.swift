import CaseworkerCore
import CaseworkerOutbound
import CaseworkerServer
import CaseworkerWebhooks
import Foundation
import Testing

/// The `webhooks.*` keys: file, environment (lists comma-separated), every problem reported.
@Suite struct WebhookConfigTests {
    func file(_ yaml: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("caseworker-\(UUID().uuidString).yaml")
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func theDefaultsAreSpecThree() {
        let dispatcher = CaseworkerConfig().webhooks.dispatcherConfiguration
        #expect(dispatcher.schedule == RetrySchedule.standard)
        #expect(dispatcher.attemptTimeout == .seconds(15))
        #expect(dispatcher.maxInFlightPerEndpoint == 16 && dispatcher.maxInFlight == 256)
        #expect(dispatcher.disablePolicy.period == .seconds(5 * 86400))
        #expect(dispatcher.addressPolicy.allowedNetworks.isEmpty)
    }

    @Test func readsEveryWebhookKeyFromTheFile() async throws {
        let path = try file(
            """
            webhooks:
              schedule: [0, 500ms, 10s, 2m, 1h, 1d]
              jitter: 0
              attemptTimeoutSeconds: 5
              maxInFlightPerEndpoint: 4
              maxInFlight: 32
              disableAfterFailingHours: 24
              allowedNetworks: [127.0.0.0/8, "fd00::/8"]
            """)
        let webhooks = try await ConfigLoader.load(.file(path: path), environment: [:]).webhooks
        #expect(webhooks.schedule == [.zero, .milliseconds(500), .seconds(10), .seconds(120), .seconds(3600), .seconds(86400)])
        #expect(webhooks.jitter == 0 && webhooks.attemptTimeoutSeconds == 5)
        #expect(webhooks.maxInFlightPerEndpoint == 4 && webhooks.maxInFlight == 32 && webhooks.disableAfterFailingHours == 24)
        #expect(webhooks.allowedNetworks == [CIDR("127.0.0.0/8")!, CIDR("fd00::/8")!])
        #expect(webhooks.dispatcherConfiguration.disablePolicy.period == .seconds(24 * 3600))
    }

    @Test func listsComeCommaSeparatedFromTheEnvironment() async throws {
        let config = try await ConfigLoader.load(
            .dev(directory: "caseworker-data"),
            environment: [
                "CASEWORKER_WEBHOOKS_SCHEDULE": "0s,5s,1m", "CASEWORKER_WEBHOOKS_ALLOWED_NETWORKS": "127.0.0.0/8,10.1.0.0/16",
                "CASEWORKER_WEBHOOKS_JITTER": "0.5", "CASEWORKER_TEST_PYTHON": "/usr/bin/python3",
            ])
        #expect(config.webhooks.schedule == [.zero, .seconds(5), .seconds(60)])
        #expect(config.webhooks.allowedNetworks.map(\.description) == ["127.0.0.0/8", "10.1.0.0/16"])
        #expect(config.webhooks.jitter == 0.5)
    }

    @Test func reportsEveryWebhookProblemWithItsKey() async throws {
        let path = try file(
            """
            webhooks:
              schedule: [0, soon]
              jitter: 2
              attemptTimeoutSeconds: 0
              maxInFlightPerEndpoint: 0
              maxInFlight: many
              disableAfterFailingHours: -1
              allowedNetworks: [127.0.0.0/33]
              retries: 3
            """)
        do {
            _ = try await ConfigLoader.load(.file(path: path), environment: [:])
            Issue.record("a broken webhooks section was accepted")
        } catch {
            #expect(
                Set(error.problems.map(\.key)) == [
                    "webhooks.schedule", "webhooks.jitter", "webhooks.attemptTimeoutSeconds", "webhooks.maxInFlightPerEndpoint",
                    "webhooks.maxInFlight", "webhooks.disableAfterFailingHours", "webhooks.allowedNetworks", "webhooks.retries",
                ])
        }
    }

    @Test(arguments: [("0", 0), ("5s", 5_000), ("500ms", 500), ("5m", 300_000), ("2h", 7_200_000), ("1d", 86_400_000), ("1.5", 1_500)])
    func parsesDurations(text: String, millis: Int64) {
        #expect(DurationText.parse(text) == .milliseconds(millis))
    }

    @Test func formatsAndRefusesDurations() {
        #expect(RetrySchedule.defaultDelays.map(DurationText.format) == ["0s", "5s", "5m", "30m", "2h", "5h", "10h", "14h", "20h", "1d"])
        #expect(DurationText.format(.milliseconds(1500)) == "1500ms")
        for bad in ["", "s", "-5s", "5 parsecs", "1e3", "h2"] { #expect(DurationText.parse(bad) == nil, "\(bad)") }
    }
}
