import CaseworkerCore
import CaseworkerTestSupport
import Foundation
import HTTPTypes
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A unix datagram socket standing in for systemd's `$NOTIFY_SOCKET`.
final class FakeNotifySocket: Sendable {
    let path: String
    private let fd: Int32
    private let received = Mutex<[String]>([])

    init(directory: URL) throws {
        path = directory.appendingPathComponent("notify.sock").path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.enumerated() { buffer[index] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else { throw DaemonProcess.Failure(message: "cannot bind \(path)") }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Reads datagrams until `predicate` holds for the messages so far (at most `timeout`).
    func waitFor(_ what: String, timeout: Duration = .seconds(30), _ predicate: ([String]) -> Bool) throws {
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !predicate(messages) {
            guard ContinuousClock.now < deadline else { throw DaemonProcess.Failure(message: "no \(what) in \(messages)") }
            let count = recv(fd, &buffer, buffer.count, 0)
            if count > 0 { received.withLock { $0.append(String(decoding: buffer[0..<count], as: UTF8.self)) } }
        }
    }

    var messages: [String] { received.withLock { $0 } }

    deinit { close(fd) }
}

/// The daemon as systemd and a sysadmin see it: notify protocol, reload, drain, logs, backup, purge.
@Suite struct OperationsTests {
    @Test func notifiesSystemdOfReadinessWatchdogReloadAndStopping() async throws {
        let (directory, config) = try instanceDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let notify = try FakeNotifySocket(directory: directory)
        let daemon = try await DaemonProcess(
            ["serve", "--config", config], in: directory, environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "200000"])
        let port = try await daemon.waitForPort()
        try notify.waitFor("READY=1") { $0.contains { $0.hasPrefix("READY=1") } }
        #expect(notify.messages.first { $0.hasPrefix("READY=1") }?.contains("STATUS=listening on http://127.0.0.1:\(port)") == true)
        try notify.waitFor("two WATCHDOG=1") { $0.filter { $0 == "WATCHDOG=1" }.count >= 2 }

        daemon.signal(SIGHUP)
        try notify.waitFor("RELOADING=1 then READY=1") { messages in
            guard let reloading = messages.firstIndex(where: { $0.hasPrefix("RELOADING=1") }) else { return false }
            return messages[(reloading + 1)...].contains { $0.hasPrefix("READY=1") }
        }
        #expect(notify.messages.first { $0.hasPrefix("RELOADING=1") }?.contains("MONOTONIC_USEC=") == true)

        daemon.signal(SIGTERM)
        try notify.waitFor("STOPPING=1") { $0.contains("STOPPING=1") }
        #expect(try await daemon.waitForExit() == 0)
    }

    @Test func reloadAppliesAGoodConfigurationAndKeepsTheRunningOneOnABadOne() async throws {
        let stub = try await StubProvider.start()
        defer { Task { await stub.stop() } }
        let (directory, config) = try instanceDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let original = try String(contentsOfFile: config, encoding: .utf8)
        // Start with steps unable to reach loopback.
        try original.replacingOccurrences(of: "httpAllowedNetworks: [127.0.0.0/8]", with: "httpAllowedNetworks: []")
            .write(toFile: config, atomically: true, encoding: .utf8)
        let key = try await createKey(config: config, in: directory)
        let daemon = try await DaemonProcess(["serve", "--config", config], in: directory)
        let port = try await daemon.waitForPort()
        #expect(try await request(port: port, .put, "/v1/workflow-definitions/kyc", key: key, json: RunRecoveryTests.kycDefinition(stub.baseURL)).0 == .created)
        let refused = try #require(try await RunRecoveryTests.startRuns(port: port, key: key, definition: "kyc", count: 1).first)
        #expect(try await RunRecoveryTests.waitForStatus(port: port, key: key, run: refused, "FAILED")["error"]?["code"] == "destination_refused")

        // A good reload opens loopback for steps: the next run reaches the provider.
        try original.write(toFile: config, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        _ = try await daemon.waitForOutput("configuration reloaded")
        let allowed = try #require(try await RunRecoveryTests.startRuns(port: port, key: key, definition: "kyc", count: 1).first)
        _ = try await RunRecoveryTests.waitForStatus(port: port, key: key, run: allowed, "COMPLETED")

        // A broken file is refused with its problems; the daemon keeps serving as before.
        try "server:\n  listen: nowhere\nlog:\n  level: loud\n".write(toFile: config, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        _ = try await daemon.waitForOutput("configuration reload failed")
        #expect(daemon.text.contains("log.level"))
        #expect(try await request(port: port, .get, "/healthz").0 == .ok)
        let after = try #require(try await RunRecoveryTests.startRuns(port: port, key: key, definition: "kyc", count: 1).first)
        _ = try await RunRecoveryTests.waitForStatus(port: port, key: key, run: after, "COMPLETED")

        daemon.signal(SIGTERM)
        #expect(try await daemon.waitForExit() == 0)
    }

    @Test func logsAreJSONLinesWithIdsAndNeverPersonalData() async throws {
        let stub = try await StubProvider.start()
        defer { Task { await stub.stop() } }
        let (directory, config) = try instanceDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = try await createKey(config: config, in: directory)
        let daemon = try await DaemonProcess(["serve", "--config", config], in: directory)
        let port = try await daemon.waitForPort()
        let (_, created) = try await request(
            port: port, .post, "/v1/cases", key: key,
            json: ["firstName": "Augusta", "lastName": "Byron-King", "email": "augusta.king@example.org", "personalNumber": "18151210-9876"])
        let caseId = try #require(created["id"]?.stringValue)
        #expect(try await request(port: port, .put, "/v1/workflow-definitions/kyc", key: key, json: RunRecoveryTests.kycDefinition(stub.baseURL)).0 == .created)
        let (_, started) = try await request(
            port: port, .post, "/v1/workflows/run", key: key, json: ["caseId": .string(caseId), "workflowDefinitionId": "kyc"])
        let runId = try #require(started["id"]?.stringValue)
        _ = try await RunRecoveryTests.waitForStatus(port: port, key: key, run: runId, "COMPLETED")
        _ = try await request(port: port, .get, "/v1/cases?externalId=augusta.king@example.org", key: key)
        daemon.signal(SIGTERM)
        #expect(try await daemon.waitForExit() == 0)

        let lines = daemon.text.split(separator: "\n").filter { $0.hasPrefix("{") }
        #expect(lines.count > 5)
        for line in lines {
            let object = try JSONText.decode(String(line))
            #expect(object["ts"]?.stringValue != nil && object["level"]?.stringValue != nil && object["msg"]?.stringValue != nil)
        }
        #expect(lines.contains { $0.contains(runId) && $0.contains(caseId) }, "run and case ids are logged")
        for secret in ["Augusta", "Byron-King", "augusta.king@example.org", "18151210-9876"] {
            #expect(!daemon.text.contains(secret), "\(secret) leaked into the log")
        }
    }

    @Test func backupCopiesALiveDatabaseThatPassesItsIntegrityCheck() async throws {
        let (directory, config) = try instanceDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = try await createKey(config: config, in: directory)
        let daemon = try await DaemonProcess(["serve", "--config", config], in: directory)
        let port = try await daemon.waitForPort()
        // Keep writing while the backup runs.
        let writer = Task {
            var written = 0
            while !Task.isCancelled, written < 400 {
                if try await request(port: port, .post, "/v1/cases", key: key, json: ["externalId": .string("crm-\(written)")]).0 == .created {
                    written += 1
                }
            }
            return written
        }
        _ = try await waitForValue("some writes") {
            let (_, list) = try await request(port: port, .get, "/v1/cases?limit=20", key: key)
            return (list["items"]?.arrayValue?.count ?? 0) >= 20 ? true : nil
        }
        let backup = directory.appendingPathComponent("backup.sqlite").path
        let (status, output) = try await runCaseworker(["backup", "--config", config, backup], in: directory)
        #expect(status == 0, "\(output)")
        #expect(output.contains("integrity check ok"))
        let written = try await writer.value
        #expect(written == 400)

        // The copy opens as a Caseworker database of its own.
        let restored = directory.appendingPathComponent("restored.yaml")
        try String(contentsOfFile: config, encoding: .utf8).replacingOccurrences(
            of: directory.appendingPathComponent("caseworker.sqlite").path, with: backup
        ).write(to: restored, atomically: true, encoding: .utf8)
        let (migrated, migrateOutput) = try await runCaseworker(["migrate", "--config", restored.path], in: directory)
        #expect(migrated == 0, "\(migrateOutput)")
        #expect(migrateOutput.contains("up to date"))
        let (again, againOutput) = try await runCaseworker(["backup", "--config", config, backup], in: directory)
        #expect(again != 0, "an existing file is never overwritten")
        #expect(againOutput.contains("exists"))

        daemon.signal(SIGTERM)
        #expect(try await daemon.waitForExit() == 0)
    }

    @Test func purgeRemovesOnlyOldFinishedRuns() async throws {
        let (directory, config) = try instanceDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = try await createKey(config: config, in: directory)
        let daemon = try await DaemonProcess(["serve", "--config", config], in: directory)
        let port = try await daemon.waitForPort()
        let definition: JSONValue = [
            "name": "quick", "isDraft": false, "steps": [["id": "done", "action": "complete", "config": ["result": "ok"]]],
        ]
        #expect(try await request(port: port, .put, "/v1/workflow-definitions/quick", key: key, json: definition).0 == .created)
        let ids = try await RunRecoveryTests.startRuns(port: port, key: key, definition: "quick", count: 3)
        for id in ids { _ = try await RunRecoveryTests.waitForStatus(port: port, key: key, run: id, "COMPLETED") }

        let (keep, keepOutput) = try await runCaseworker(["purge", "--config", config, "--finished-before", "1d"], in: directory)
        #expect(keep == 0, "\(keepOutput)")
        #expect(keepOutput.contains("purged 0 finished runs"))
        #expect(try await request(port: port, .get, "/v1/workflows/\(ids[0])", key: key).0 == .ok)

        try await Task.sleep(for: .milliseconds(1100))
        let (purged, purgedOutput) = try await runCaseworker(["purge", "--config", config, "--finished-before", "1s"], in: directory)
        #expect(purged == 0, "\(purgedOutput)")
        #expect(purgedOutput.contains("purged 3 finished runs, 3 delivered webhook events"), "\(purgedOutput)")
        for id in ids { #expect(try await request(port: port, .get, "/v1/workflows/\(id)", key: key).0 == .notFound) }
        let (bad, _) = try await runCaseworker(["purge", "--config", config, "--finished-before", "soon"], in: directory)
        #expect(bad != 0)

        daemon.signal(SIGTERM)
        #expect(try await daemon.waitForExit() == 0)
    }
}
