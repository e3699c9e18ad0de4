import CaseworkerCore
import CaseworkerSQLite
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import CaseworkerAPI

/// A full disk is an operational state: writes answer 503 `storage-full` with `Retry-After`,
/// `/readyz` is 503 until a write succeeds again, and everything resumes by itself once space is
/// freed. Run on a real 3 MB tmpfs (root only: CI runs as root; elsewhere the test is skipped).
@Suite struct StorageFullTests {
    static let isRoot = getuid() == 0

    /// Runs a shell command (fork and exec by libc: Foundation's `Process` is not used from
    /// tests that run beside the daemon-spawning ones).
    static func run(_ arguments: [String]) throws -> Int32 {
        system(arguments.map { "'\($0)'" }.joined(separator: " "))
    }

    @Test(.enabled(if: isRoot, "mounting a tmpfs needs root"), .timeLimit(.minutes(2)))
    func writesAnswer503AndReadinessRecoversWhenSpaceIsFreed() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("caseworker-full-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try #require(try Self.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", directory.path]) == 0, "mount a tmpfs")
        defer {
            _ = try? Self.run(["umount", directory.path])
            try? FileManager.default.removeItem(at: directory)
        }
        // Space to free later.
        let ballast = directory.appendingPathComponent("ballast")
        try Data(count: 1 << 20).write(to: ballast)
        let store = try SQLiteStore(options: .init(path: directory.appendingPathComponent("db.sqlite").path))
        try store.migrate()
        let secret = APIKeySecret.generate()
        _ = try await store.createKey(tenantId: "t", name: "k", scopes: [.admin], secret: secret)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let app = Application(router: makeRouter(store: store), logger: logger)
        let headers: HTTPFields = [.authorization: "Bearer \(secret.text)", .contentType: "application/json"]
        let body = JSONText.encode(["data": ["blob": .string(String(repeating: "x", count: 60_000))]])
        try await app.test(.router) { client in
            var full = false
            for _ in 0..<200 where !full {
                try await client.execute(uri: "/v1/cases", method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
                    if response.status == .serviceUnavailable {
                        full = true
                        #expect(response.headers[.retryAfter] == "30")
                        #expect(String(buffer: response.body).contains("storage-full"))
                    } else {
                        #expect(response.status == .created)
                    }
                }
            }
            #expect(full, "the 3 MB file system filled up")
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("storage full"))
            }
            // Reads keep working.
            try await client.execute(uri: "/v1/cases?limit=1", method: .get, headers: headers) { response in
                #expect(response.status == .ok)
            }
            try FileManager.default.removeItem(at: ballast)
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
            }
            try await client.execute(
                uri: "/v1/cases", method: .post, headers: headers, body: ByteBuffer(string: #"{"firstName": "Ada"}"#)
            ) { response in
                #expect(response.status == .created)
            }
        }
    }
}
