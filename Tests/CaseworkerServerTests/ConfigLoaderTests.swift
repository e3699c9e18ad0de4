import CaseworkerServer
import Foundation
import Testing

@Suite struct ConfigLoaderTests {
    /// Writes `yaml` to a temporary file and returns its path.
    func file(_ yaml: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("caseworker-\(UUID().uuidString).yaml")
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func problems(_ selection: InstanceSelection, environment: [String: String] = [:], listen: String? = nil) async -> [String] {
        do {
            _ = try await ConfigLoader.load(selection, overrides: .init(listen: listen), environment: environment)
            return []
        } catch {
            return error.problems.map(\.key)
        }
    }

    @Test func theExampleConfigDocumentsEveryKeyWithItsDefault() async throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("etc/caseworker.yaml")
        let text = try String(contentsOf: example, encoding: .utf8)
        for key in CaseworkerConfig.keys {
            // `engine.exec.maxOutputBytes` is `maxOutputBytes:` indented under `exec:`.
            let components = key.split(separator: ".")
            let indent = String(repeating: "  ", count: components.count - 1)
            #expect(text.contains("\n\(indent)\(components.last!): "), "etc/caseworker.yaml lacks \(key)")
            #expect(text.contains(CaseworkerConfig.environmentName(for: key)), "etc/caseworker.yaml does not name the variable of \(key)")
        }
        let loaded = try await ConfigLoader.load(.file(path: example.path), environment: [:])
        #expect(loaded == CaseworkerConfig())
    }

    @Test func anEmptyFileMeansTheDefaults() async throws {
        #expect(try await ConfigLoader.load(.file(path: try file("# nothing set\n")), environment: [:]) == CaseworkerConfig())
        #expect(try await ConfigLoader.load(.file(path: try file("server:\nlog:\n")), environment: [:]) == CaseworkerConfig())
    }

    @Test func readsEveryKeyFromTheFile() async throws {
        let path = try file(
            """
            server:
              listen: "[::1]:9090"
              maxBodyBytes: 4096
              idleTimeoutSeconds: 5
              requestTimeoutSeconds: 7
            database:
              path: /tmp/x.sqlite
              synchronous: normal
              busyTimeoutMilliseconds: 250
            log:
              level: debug
            """)
        let config = try await ConfigLoader.load(.file(path: path), environment: [:])
        #expect(config.server.listen == ListenAddress(host: "::1", port: 9090))
        #expect(config.server.maxBodyBytes == 4096)
        #expect(config.server.apiConfiguration.idleTimeout == .seconds(5))
        #expect(config.server.apiConfiguration.requestTimeout == .seconds(7))
        #expect(config.database.path == "/tmp/x.sqlite")
        #expect(config.database.synchronous == .normal)
        #expect(config.database.busyTimeoutMilliseconds == 250)
        #expect(config.log.level == .debug)
    }

    @Test func flagsBeatEnvironmentWhichBeatsTheFile() async throws {
        let path = try file("server:\n  listen: 127.0.0.1:1000\n  maxBodyBytes: 2048\n")
        let environment = ["CASEWORKER_SERVER_LISTEN": "127.0.0.1:2000", "CASEWORKER_SERVER_MAX_BODY_BYTES": "8192"]
        let fromEnvironment = try await ConfigLoader.load(.file(path: path), environment: environment)
        #expect(fromEnvironment.server.listen.port == 2000)
        #expect(fromEnvironment.server.maxBodyBytes == 8192)
        let fromFlag = try await ConfigLoader.load(.file(path: path), overrides: .init(listen: "0.0.0.0:3000"), environment: environment)
        #expect(fromFlag.server.listen == ListenAddress(host: "0.0.0.0", port: 3000))
    }

    @Test func reportsEveryProblemWithItsKey() async throws {
        let path = try file(
            """
            server:
              listen: nowhere
              maxBodyBytes: lots
              lisen: 127.0.0.1:1
            database:
              synchronous: sometimes
              busyTimeoutMilliseconds: -5
            log:
              level: loud
            telemetry:
              enabled: true
            ui:
              enabled: maybe
            """)
        let keys = await problems(.file(path: path), environment: ["CASEWORKER_SERVER_PORT": "1"])
        #expect(
            Set(keys)
                == [
                    "server.listen", "server.maxBodyBytes", "server.lisen", "database.synchronous",
                    "database.busyTimeoutMilliseconds", "log.level", "telemetry", "ui.enabled", "CASEWORKER_SERVER_PORT",
                ])
    }

    @Test func readsTheEngineLeaseAndFailureKeysAndRefusesAHeartbeatNotShorterThanTheLease() async throws {
        let path = try file("engine:\n  maxExecutorFailures: 2\n  leaseSeconds: 10\n  heartbeatSeconds: 3\n")
        let config = try await ConfigLoader.load(.file(path: path), environment: [:])
        #expect(config.engine.maxExecutorFailures == 2 && config.engine.lease == .seconds(10) && config.engine.heartbeat == .seconds(3))
        let defaults = try await ConfigLoader.load(.file(path: try file("{}\n")), environment: [:])
        #expect(defaults.engine.maxExecutorFailures == 5 && defaults.engine.lease == .seconds(6) && defaults.engine.heartbeat == .seconds(2))
        let slow = try file("engine:\n  leaseSeconds: 4\n  heartbeatSeconds: 4\n  maxExecutorFailures: 0\n")
        #expect(Set(await problems(.file(path: slow))) == ["engine.heartbeatSeconds", "engine.maxExecutorFailures"])
    }

    @Test func aMissingOrBrokenFileIsAProblemNamingIt() async throws {
        let missing = "/nonexistent/caseworker.yaml"
        #expect(await problems(.file(path: missing)) == [missing])
        let broken = try file("server: [unclosed\n")
        #expect(await problems(.file(path: broken)) == [broken])
        let list = try file("- a\n- b\n")
        #expect(await problems(.file(path: list)) == [list])
    }

    @Test func devModeNeedsNoFile() async throws {
        let config = try await ConfigLoader.load(.dev(directory: "caseworker-data"), environment: [:])
        #expect(config.server.listen == ListenAddress(host: "127.0.0.1", port: 8080))
        #expect(config.database.path.hasSuffix("/caseworker-data/caseworker.sqlite"))
        let moved = try await ConfigLoader.load(.dev(directory: "caseworker-data"), overrides: .init(listen: "127.0.0.1:0"), environment: [:])
        #expect(moved.server.listen.port == 0)
    }

    @Test func environmentNamesFollowTheKeys() {
        #expect(CaseworkerConfig.environmentName(for: "server.listen") == "CASEWORKER_SERVER_LISTEN")
        #expect(CaseworkerConfig.environmentName(for: "database.busyTimeoutMilliseconds") == "CASEWORKER_DATABASE_BUSY_TIMEOUT_MILLISECONDS")
    }

    @Test(arguments: [
        ("127.0.0.1:8080", "127.0.0.1", 8080), ("localhost:0", "localhost", 0), ("[::1]:443", "::1", 443),
        ("0.0.0.0:65535", "0.0.0.0", 65535),
    ])
    func parsesListenAddresses(text: String, host: String, port: Int) {
        #expect(ListenAddress(text) == ListenAddress(host: host, port: port))
    }

    @Test(arguments: ["", "8080", ":8080", "host:", "host:65536", "host:-1", "::1:80", "[]:80", "a b:80"])
    func refusesMalformedListenAddresses(text: String) {
        #expect(ListenAddress(text) == nil)
    }
}
