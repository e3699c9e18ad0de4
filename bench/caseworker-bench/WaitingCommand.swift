import ArgumentParser
import CaseworkerCore
import Foundation
import GRDB

/// The memory of many waiting runs: starts `--runs` runs whose first step waits a day, waits
/// until they are all `WAITING`, and prints the daemon's RSS; then restarts the daemon on the same
/// database and prints its RSS again once it is idle (the runs are in the database, not in the
/// process).
struct WaitingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "waiting", abstract: "Measure RSS with many runs waiting on a timer.")

    @Option(help: "Runs to start.") var runs = 100_000
    @Option(help: "Run-start requests in flight.") var concurrency = 64
    @Option(help: "The caseworker binary.") var binary = Daemon.defaultBinary()
    @Option(help: "PRAGMA synchronous of the daemon: full or normal.") var synchronous = "full"

    func run() async throws {
        let daemon = try await Daemon(binary: binary, storage: .sqlite(path: nil, synchronous: synchronous), logLevel: "notice")
        defer {
            daemon.stop()
            daemon.removeFiles()
        }
        let api = APIClient(baseURL: daemon.baseURL, key: daemon.key, connections: concurrency)
        let definition: JSONValue = [
            "name": "Wait a day", "isDraft": false,
            "steps": [
                ["id": "pause", "action": "wait", "config": ["seconds": 86_400]],
                ["id": "done", "action": "complete"],
            ],
        ]
        try await api.expect(201, .PUT, "/v1/workflow-definitions/wait-a-day", definition)
        let caseId = try await api.expect(201, .POST, "/v1/cases", ["firstName": "Waiting"])["id"]?.stringValue ?? ""
        let idle = ProcessStats.read(pid: daemon.pid)
        log("starting \(runs) runs")
        let start = ContinuousClock.now
        try await forEachConcurrently(runs, width: concurrency) { _ in
            try await api.expect(201, .POST, "/v1/workflows/run", ["caseId": .string(caseId), "workflowDefinitionId": "wait-a-day"])
        }
        let databasePath = daemon.directory.appendingPathComponent("caseworker.sqlite").path
        let database = try DatabaseQueue(path: databasePath, configuration: { var c = Configuration(); c.readonly = true; return c }())
        let deadline = ContinuousClock.now + .seconds(600)
        var waiting = 0
        while waiting < runs {
            guard ContinuousClock.now < deadline else { throw BenchError("only \(waiting) of \(runs) runs are WAITING after 10 minutes") }
            try await Task.sleep(for: .milliseconds(500))
            waiting = try await database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM runs WHERE status = 'WAITING'") ?? 0 }
        }
        let elapsed = ContinuousClock.now - start
        await api.shutdown()
        let loaded = ProcessStats.read(pid: daemon.pid)
        try database.close()

        daemon.stop()
        try await daemon.start()
        try await Task.sleep(for: .seconds(5))
        let restarted = ProcessStats.read(pid: daemon.pid)
        let size = (try? FileManager.default.attributesOfItem(atPath: databasePath)[.size] as? Int) ?? 0

        func mib(_ bytes: Int?) -> String { String(format: "%.1f MiB", Double(bytes ?? 0) / 1_048_576) }
        print("""
            waiting: \(runs) runs waiting on a timer (all WAITING \(String(format: "%.1f", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)) s after the first start), synchronous=\(synchronous)
              daemon RSS before the runs      \(mib(idle?.rssBytes))
              daemon RSS with them waiting    \(mib(loaded?.rssBytes)) (peak while starting them \(mib(loaded?.peakRSSBytes)))
              daemon RSS after a restart      \(mib(restarted?.rssBytes)) (5 s after start, peak \(mib(restarted?.peakRSSBytes)))
              database file                   \(mib(size))
            """)
    }
}
