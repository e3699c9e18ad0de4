import CaseworkerCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// The real binary, over real HTTP: start, serve, stop on SIGTERM with exit 0, survive SIGKILL.
@Suite struct ServeTests {
    @Test func servesUntilSIGTERMAndExitsZero() async throws {
        let (directory, config) = try instanceDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (created, keyOutput) = try await runCaseworker(
            ["keys", "create", "--config", config, "--tenant", "acme", "--name", "e2e"], in: directory)
        #expect(created == 0, "\(keyOutput)")
        let key = try #require(keyOutput.split(separator: "\n").last.map(String.init))
        #expect(key.hasPrefix("cwk_"))

        let daemon = try await DaemonProcess(["serve", "--config", config], in: directory)
        let port = try await daemon.waitForPort()
        #expect(try await request(port: port, .get, "/healthz").0 == .ok)
        #expect(try await request(port: port, .get, "/readyz").0 == .ok)
        let (status, body) = try await request(port: port, .post, "/v1/cases", key: key, json: ["firstName": "Ada"])
        #expect(status == .created)
        #expect(body["firstName"] == "Ada")
        #expect(try await request(port: port, .get, "/v1/cases").0 == .unauthorized)

        daemon.signal(SIGTERM)
        #expect(try await daemon.waitForExit() == 0)
        #expect(!daemon.text.contains("Ada"), "personal data must not reach the log")
    }

    @Test func anAcknowledgedWriteSurvivesSIGKILL() async throws {
        let (directory, config) = try instanceDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (_, keyOutput) = try await runCaseworker(["keys", "create", "--config", config, "--tenant", "acme", "--name", "e2e"], in: directory)
        let key = try #require(keyOutput.split(separator: "\n").last.map(String.init))

        let first = try await DaemonProcess(["serve", "--config", config], in: directory)
        var port = try await first.waitForPort()
        var ids: [String] = []
        for n in 0..<20 {
            let (status, body) = try await request(port: port, .post, "/v1/cases", key: key, json: ["externalId": .string("crm-\(n)")])
            #expect(status == .created)
            ids.append(try #require(body["id"]?.stringValue))
        }
        first.signal(SIGKILL)
        #expect(try await first.waitForExit() == SIGKILL)

        let second = try await DaemonProcess(["serve", "--config", config], in: directory)
        port = try await second.waitForPort()
        for (n, id) in ids.enumerated() {
            let (status, body) = try await request(port: port, .get, "/v1/cases/\(id)", key: key)
            #expect(status == .ok)
            #expect(body["externalId"] == .string("crm-\(n)"))
        }
        second.signal(SIGTERM)
        #expect(try await second.waitForExit() == 0)
    }

    @Test func devModeNeedsNoConfigAndPrintsItsKeyOnlyOnce() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("caseworker-dev-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let first = try await DaemonProcess(["serve", "--dev", "--listen", "127.0.0.1:0"], in: directory)
        let port = try await first.waitForPort()
        let key = try await first.waitForOutput(#"(cwk_[A-Za-z0-9_-]{43})"#)
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("caseworker-data/caseworker.sqlite").path))
        #expect(try await request(port: port, .get, "/v1/cases", key: key).0 == .ok)
        first.signal(SIGINT)
        #expect(try await first.waitForExit() == 0)

        let second = try await DaemonProcess(["serve", "--dev", "--listen", "127.0.0.1:0"], in: directory)
        let secondPort = try await second.waitForPort()
        #expect(try await request(port: secondPort, .get, "/v1/cases", key: key).0 == .ok)
        #expect(!second.text.contains("cwk_"))
        second.signal(SIGTERM)
        #expect(try await second.waitForExit() == 0)
    }

    @Test func aPortInUseFailsWithAnError() async throws {
        let (directory, config) = try instanceDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try await DaemonProcess(["serve", "--config", config], in: directory)
        let port = try await first.waitForPort()
        let (status, output) = try await runCaseworker(["serve", "--config", config, "--listen", "127.0.0.1:\(port)"], in: directory)
        #expect(status != 0)
        #expect(output.contains("stopped on an error"), "\(output)")
        first.signal(SIGTERM)
        #expect(try await first.waitForExit() == 0)
    }
}
