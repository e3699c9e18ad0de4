import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// The CLI as an operator uses it: keys, migrate, check-config, version.
@Suite struct CommandLineTests {
    @Test func keysCreateListRevokeAgainstARunningDaemon() async throws {
        let (directory, config) = try instanceDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let daemon = try await DaemonProcess(["serve", "--config", config], in: directory)
        let port = try await daemon.waitForPort()

        let (status, output) = try await runCaseworker(
            ["keys", "create", "--config", config, "--tenant", "t2", "--name", "ci", "--scope", "cases:read"], in: directory)
        #expect(status == 0, "\(output)")
        let key = try #require(output.split(separator: "\n").last.map(String.init))
        let id = try #require(try Regex(#"created key (\w{26})"#).firstMatch(in: output)?.output[1].substring.map(String.init))

        func list(_ key: String) async throws -> HTTPResponse.Status {
            try await request(port: port, .get, "/v1/cases", key: key).0
        }
        #expect(try await list(key) == .ok)

        let (_, listed) = try await runCaseworker(["keys", "list", "--config", config, "--tenant", "t2"], in: directory)
        #expect(listed.contains(id))
        #expect(listed.contains("cases:read"))
        #expect(!listed.contains(key), "keys list must never show a secret")

        let (revoked, revokeOutput) = try await runCaseworker(["keys", "revoke", "--config", config, id], in: directory)
        #expect(revoked == 0, "\(revokeOutput)")
        #expect(try await list(key) == .unauthorized)
        let (unknown, _) = try await runCaseworker(["keys", "revoke", "--config", config, "01NOSUCHKEY"], in: directory)
        #expect(unknown != 0)

        daemon.signal(SIGTERM)
        #expect(try await daemon.waitForExit() == 0)
    }

    @Test func keysCreateRefusesBadInput() async throws {
        let (directory, config) = try instanceDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (badScope, scopeOutput) = try await runCaseworker(
            ["keys", "create", "--config", config, "--tenant", "t", "--name", "n", "--scope", "cases:delete"], in: directory)
        #expect(badScope != 0)
        #expect(scopeOutput.contains("unknown scope"))
        let (badTenant, _) = try await runCaseworker(["keys", "create", "--config", config, "--tenant", "a b", "--name", "n"], in: directory)
        #expect(badTenant != 0)
        let (both, bothOutput) = try await runCaseworker(["keys", "list", "--config", config, "--dev"], in: directory)
        #expect(both != 0)
        #expect(bothOutput.contains("exclude each other"))
    }

    @Test func migrateAppliesOnceThenReportsUpToDate() async throws {
        let (directory, config) = try instanceDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (first, firstOutput) = try await runCaseworker(["migrate", "--config", config], in: directory)
        #expect(first == 0)
        #expect(firstOutput.contains("applied: v1-"))
        let (second, secondOutput) = try await runCaseworker(["migrate", "--config", config], in: directory)
        #expect(second == 0)
        #expect(secondOutput.contains("up to date"))
    }

    @Test func checkConfigListsEveryProblemAndExits78() async throws {
        let (directory, _) = try instanceDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bad = directory.appendingPathComponent("bad.yaml")
        try "server:\n  listen: nowhere\ndatabase:\n  synchronous: sometimes\nlog:\n  levle: debug\n".write(to: bad, atomically: true, encoding: .utf8)
        let (status, output) = try await runCaseworker(["check-config", "--config", bad.path], in: directory)
        #expect(status == 78)
        for key in ["server.listen", "database.synchronous", "log.levle"] { #expect(output.contains(key), "\(output)") }

        let (env, envOutput) = try await runCaseworker(
            ["check-config", "--config", bad.path], in: directory, environment: ["CASEWORKER_LOG_LEVEL": "debug"])
        #expect(env == 78)
        #expect(!envOutput.contains("CASEWORKER_LOG_LEVEL"))

        let (good, goodOutput) = try await runCaseworker(["check-config", "--dev"], in: directory)
        #expect(good == 0)
        #expect(goodOutput.contains("configuration is valid"))
        let (missing, missingOutput) = try await runCaseworker(["check-config", "--config", "/nonexistent.yaml"], in: directory)
        #expect(missing == 78)
        #expect(missingOutput.contains("no such file"))
    }

    @Test func versionPrintsTheVersion() async throws {
        let (status, output) = try await runCaseworker(["version"], in: FileManager.default.temporaryDirectory)
        #expect(status == 0)
        #expect(output.hasPrefix("caseworker "))
    }
}
