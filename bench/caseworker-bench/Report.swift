import CaseworkerCore
import Foundation

/// CPU and memory of the benchmark's processes at one moment.
struct Snapshot {
    /// One per instance of the daemon (or the floor).
    var daemons: [ProcessStats]
    var stub: ProcessStats
    var driver: ProcessStats
    /// CPU seconds of the PostgreSQL server, when it is measured.
    var postgresCPUSeconds: Double?

    init(daemons: [Int32], stub: Int32, postgres: Postmaster?) throws {
        let zero = ProcessStats(cpuSeconds: 0, rssBytes: 0, peakRSSBytes: 0)
        self.daemons = daemons.map { ProcessStats.read(pid: $0) ?? zero }
        self.stub = ProcessStats.read(pid: stub) ?? zero
        self.driver = ProcessStats.read(pid: getpid()) ?? zero
        self.postgresCPUSeconds = try postgres?.cpuSeconds()
    }

    var daemonCPUSeconds: Double { daemons.reduce(0) { $0 + $1.cpuSeconds } }
}

/// W1's figures, printed as text (and JSON with `--json`).
struct Report {
    /// What ran the workflows: `daemon`, or `floor` (`w1 --floor`).
    var target: String
    var runs: Int
    var concurrency: Int
    var rate: Double?
    /// What the daemon keeps its data in; `nil` for the floor.
    var storage: Daemon.Storage?
    /// Daemons serving the database.
    var instances: Int
    var stubDelayMs: Int
    var elapsed: Double
    var completed: Int
    var latency: Percentiles?
    var pollLatency: Percentiles?
    var before: Snapshot
    var after: Snapshot
    var counts: WebhookTracker.Counts

    var missing: Int { runs - completed }
    var isCorrect: Bool { missing == 0 && counts.duplicates == 0 && counts.badSignature == 0 && counts.wrongResult == 0 }
    var throughput: Double { Double(completed) / elapsed }
    /// Summed over the instances.
    var daemonCPU: Double { after.daemonCPUSeconds - before.daemonCPUSeconds }
    var postgresCPU: Double? { after.postgresCPUSeconds.flatMap { end in before.postgresCPUSeconds.map { end - $0 } } }
    var stubCPU: Double { after.stub.cpuSeconds - before.stub.cpuSeconds }
    var driverCPU: Double { after.driver.cpuSeconds - before.driver.cpuSeconds }
    /// The largest instance's peak RSS.
    var daemonPeakRSS: Int { after.daemons.map(\.peakRSSBytes).max() ?? 0 }

    func print(json: Bool) {
        func ms(_ seconds: Double) -> String { String(format: "%.3f ms", seconds * 1000 / Double(max(completed, 1))) }
        func share(_ seconds: Double) -> String { String(format: "%.0f%%", seconds / elapsed * 100) }
        let load = rate.map { String(format: "open loop at %.0f runs/s", $0) } ?? "closed loop, \(concurrency) in flight"
        let store = storage.map { $0.synchronous.map { ", SQLite synchronous=\($0)" } ?? ", PostgreSQL" } ?? ""
        let daemons = instances == 1 ? target : "\(target) (\(instances) instances)"
        let postgres = { (figure: (Double) -> String) in postgresCPU.map { ", PostgreSQL \(figure($0))" } ?? "" }
        Swift.print("""
            W1\(target == "daemon" ? "" : " (\(target))"): \(runs) runs, \(load)\(store)\(instances == 1 ? "" : ", \(instances) instances"), stub delay \(stubDelayMs) ms
              throughput       \(String(format: "%.1f", throughput)) runs/s (\(String(format: "%.2f", elapsed)) s)
              latency          \(latency?.text ?? "-")  (run-start request → verified webhook)
              CPU per run      \(daemons) \(ms(daemonCPU))\(postgres(ms)), stub \(ms(stubCPU)), driver+receiver \(ms(driverCPU))
              CPU share        \(daemons) \(share(daemonCPU))\(postgres(share)), stub \(share(stubCPU)), driver+receiver \(share(driverCPU)) of one core (2 cores = 200%)
              \("\(target) RSS".padding(toLength: 17, withPad: " ", startingAt: 0))peak \(String(format: "%.1f", Double(daemonPeakRSS) / 1_048_576)) MiB\(instances == 1 ? "" : " (the largest instance)")
              status poll      \(pollLatency?.text ?? "-")  (GET /v1/workflows/{id}, one at a time\(instances == 1 ? "" : ", round-robin"))
              correctness      \(counts.verified) webhooks verified, \(missing) missing, \(counts.duplicates) duplicates, \(counts.badSignature) bad signatures, \(counts.wrongResult) wrong results
            """)
        guard json else { return }
        func perRun(_ seconds: Double) -> JSONValue { .double(seconds * 1000 / Double(max(completed, 1))) }
        let object: JSONValue = [
            "target": .string(target), "runs": .int(runs), "concurrency": .int(concurrency), "rate": rate.map(JSONValue.double) ?? .null,
            "store": storage.map { .string($0.kind) } ?? .null, "synchronous": storage?.synchronous.map(JSONValue.string) ?? .null,
            "instances": .int(instances),
            "stubDelayMs": .int(stubDelayMs), "elapsedSeconds": .double(elapsed),
            "runsPerSecond": .double(throughput), "latencyMs": latency.map { ["p50": .double($0.p50), "p90": .double($0.p90), "p99": .double($0.p99), "max": .double($0.max)] } ?? .null,
            "daemonCPUMsPerRun": perRun(daemonCPU), "postgresCPUMsPerRun": postgresCPU.map(perRun) ?? .null, "stubCPUMsPerRun": perRun(stubCPU),
            "driverCPUMsPerRun": perRun(driverCPU), "daemonPeakRSSBytes": .int(daemonPeakRSS),
            "pollLatencyMs": pollLatency.map { ["p50": .double($0.p50), "p99": .double($0.p99)] } ?? .null,
            "missing": .int(missing), "duplicates": .int(counts.duplicates), "badSignatures": .int(counts.badSignature), "wrongResults": .int(counts.wrongResult),
        ]
        Swift.print(JSONText.encode(object))
    }
}

extension Daemon.Storage {
    /// `sqlite` or `postgres`.
    var kind: String {
        switch self {
        case .sqlite: "sqlite"
        case .postgres: "postgres"
        }
    }

    /// `PRAGMA synchronous` on SQLite; `nil` on PostgreSQL.
    var synchronous: String? {
        switch self {
        case .sqlite(_, let synchronous): synchronous
        case .postgres: nil
        }
    }
}
