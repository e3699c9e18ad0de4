import CaseworkerServer
import Foundation
import Testing

/// `metrics.listen`: empty by default (`/metrics` on the API listener), a separate address when
/// set, every problem reported.
@Suite struct MetricsConfigTests {
    func file(_ yaml: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("caseworker-\(UUID().uuidString).yaml")
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func problems(_ yaml: String, environment: [String: String] = [:]) async throws -> [String] {
        let path = try file(yaml)
        do {
            _ = try await ConfigLoader.load(.file(path: path), environment: environment)
            return []
        } catch {
            return error.problems.map(\.key)
        }
    }

    @Test func emptyByDefaultAndInTheExampleFile() async throws {
        #expect(CaseworkerConfig().metrics.listen == nil)
        #expect(try await ConfigLoader.load(.file(path: try file("metrics:\n  listen: \"\"\n")), environment: [:]).metrics.listen == nil)
    }

    @Test func readsTheAddressFromTheFileAndTheEnvironment() async throws {
        let path = try file("metrics:\n  listen: \"127.0.0.1:9464\"\n")
        #expect(try await ConfigLoader.load(.file(path: path), environment: [:]).metrics.listen == ListenAddress(host: "127.0.0.1", port: 9464))
        let fromEnvironment = try await ConfigLoader.load(.file(path: path), environment: ["CASEWORKER_METRICS_LISTEN": "[::1]:9100"])
        #expect(fromEnvironment.metrics.listen == ListenAddress(host: "::1", port: 9100))
    }

    @Test func aMalformedAddressOrTheAPIsOwnIsAProblemBesideOthers() async throws {
        #expect(try await problems("metrics:\n  listen: nowhere\nlog:\n  level: loud\n") == ["log.level", "metrics.listen"])
        #expect(try await problems("server:\n  listen: \"127.0.0.1:8080\"\nmetrics:\n  listen: \"127.0.0.1:8080\"\n") == ["metrics.listen"])
        #expect(try await problems("metrics:\n  listen: \"127.0.0.1:9464\"\n  path: /m\n") == ["metrics.path"])
    }
}
