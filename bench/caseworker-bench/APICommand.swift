import ArgumentParser
import CaseworkerCore
import Foundation

/// API micro-benchmarks with `wrk`: `POST /v1/cases` and `GET /v1/workflows/{id}` against a real
/// daemon, and `GET /ping` of a bare Hummingbird server in the same run as the ceiling.
struct APICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "api", abstract: "API requests per second with wrk.")

    @Option(help: "wrk threads.") var threads = 2
    @Option(help: "wrk connections.") var connections = 64
    @Option(help: "Seconds per measurement.") var seconds = 10
    @Option(help: "PRAGMA synchronous of the daemon: full or normal.") var synchronous = "full"
    @Option(help: "The caseworker binary.") var binary = Daemon.defaultBinary()
    @Option(help: "The daemon's log level.") var logLevel = "info"

    func run() async throws {
        let ping = try Peer(["ping"])
        defer { ping.stop() }
        let daemon = try await Daemon(binary: binary, storage: .sqlite(path: nil, synchronous: synchronous), logLevel: logLevel)
        defer {
            daemon.stop()
            daemon.removeFiles()
        }
        let api = APIClient(baseURL: daemon.baseURL, key: daemon.key, connections: 4)
        let definition: JSONValue = ["name": "Done", "isDraft": false, "steps": [["id": "done", "action": "complete"]]]
        try await api.expect(201, .PUT, "/v1/workflow-definitions/done", definition)
        let caseId = try await api.expect(201, .POST, "/v1/cases", ["firstName": "Bench"])["id"]?.stringValue ?? ""
        let runId = try await api.expect(201, .POST, "/v1/workflows/run", ["caseId": .string(caseId), "workflowDefinitionId": "done"])["id"]?.stringValue ?? ""
        await api.shutdown()

        let script = daemon.directory.appendingPathComponent("post-case.lua")
        try """
            wrk.method = "POST"
            wrk.body = '{"firstName": "Bench", "lastName": "Case", "data": {"tier": "gold"}}'
            wrk.headers["Content-Type"] = "application/json"
            wrk.headers["Authorization"] = "Bearer \(daemon.key)"
            """.write(to: script, atomically: true, encoding: .utf8)
        let auth = ["-H", "Authorization: Bearer \(daemon.key)"]
        let results = [
            ("GET /ping (bare Hummingbird)", try wrk(["http://127.0.0.1:\(ping.port)/ping"])),
            ("POST /v1/cases", try wrk(["-s", script.path, "\(daemon.baseURL)/v1/cases"])),
            ("GET /v1/workflows/{id}", try wrk(auth + ["\(daemon.baseURL)/v1/workflows/\(runId)"])),
        ]
        print("api: wrk -t\(threads) -c\(connections) -d\(seconds)s, synchronous=\(synchronous)")
        for (name, result) in results {
            print("  \(name.padding(toLength: 30, withPad: " ", startingAt: 0)) \(result)")
        }
    }

    /// Runs wrk; answers "N req/s, p50 …, p99 …" and requires that every answer was 2xx.
    private func wrk(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["wrk", "-t\(threads)", "-c\(connections)", "-d\(seconds)s", "--latency"] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError("wrk failed: \(text)") }
        if let line = text.split(separator: "\n").first(where: { $0.contains("Non-2xx") }) {
            throw BenchError("wrk saw errors (\(line.trimmingCharacters(in: .whitespaces))):\n\(text)")
        }
        func value(after label: String) -> String {
            text.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(label) }
                .map { $0.trimmingCharacters(in: .whitespaces).dropFirst(label.count).trimmingCharacters(in: .whitespaces) } ?? "?"
        }
        return "\(value(after: "Requests/sec:")) req/s, latency p50 \(value(after: "50%")), p99 \(value(after: "99%"))"
    }
}
