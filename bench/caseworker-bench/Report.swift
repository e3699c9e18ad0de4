import CaseworkerCore
import Foundation

/// CPU and memory of the benchmark's processes at one moment.
struct Snapshot {
    var daemon: ProcessStats
    var stub: ProcessStats
    var driver: ProcessStats

    init(daemon: Int32, stub: Int32) {
        let zero = ProcessStats(cpuSeconds: 0, rssBytes: 0, peakRSSBytes: 0)
        self.daemon = ProcessStats.read(pid: daemon) ?? zero
        self.stub = ProcessStats.read(pid: stub) ?? zero
        self.driver = ProcessStats.read(pid: getpid()) ?? zero
    }
}

/// W1's figures, printed as text (and JSON with `--json`).
struct Report {
    /// What ran the workflows: `daemon`, or `floor` (`w1 --floor`).
    var target: String
    var runs: Int
    var concurrency: Int
    var rate: Double?
    var synchronous: String
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
    var daemonCPU: Double { after.daemon.cpuSeconds - before.daemon.cpuSeconds }
    var stubCPU: Double { after.stub.cpuSeconds - before.stub.cpuSeconds }
    var driverCPU: Double { after.driver.cpuSeconds - before.driver.cpuSeconds }

    func print(json: Bool) {
        func ms(_ seconds: Double) -> String { String(format: "%.3f ms", seconds * 1000 / Double(max(completed, 1))) }
        func share(_ seconds: Double) -> String { String(format: "%.0f%%", seconds / elapsed * 100) }
        let load = rate.map { String(format: "open loop at %.0f runs/s", $0) } ?? "closed loop, \(concurrency) in flight"
        Swift.print("""
            W1\(target == "daemon" ? "" : " (\(target))"): \(runs) runs, \(load), synchronous=\(synchronous), stub delay \(stubDelayMs) ms
              throughput       \(String(format: "%.1f", throughput)) runs/s (\(String(format: "%.2f", elapsed)) s)
              latency          \(latency?.text ?? "-")  (run-start request → verified webhook)
              CPU per run      \(target) \(ms(daemonCPU)), stub \(ms(stubCPU)), driver+receiver \(ms(driverCPU))
              CPU share        \(target) \(share(daemonCPU)), stub \(share(stubCPU)), driver+receiver \(share(driverCPU)) of one core (2 cores = 200%)
              \("\(target) RSS".padding(toLength: 17, withPad: " ", startingAt: 0))peak \(String(format: "%.1f", Double(after.daemon.peakRSSBytes) / 1_048_576)) MiB
              status poll      \(pollLatency?.text ?? "-")  (GET /v1/workflows/{id}, one at a time)
              correctness      \(counts.verified) webhooks verified, \(missing) missing, \(counts.duplicates) duplicates, \(counts.badSignature) bad signatures, \(counts.wrongResult) wrong results
            """)
        guard json else { return }
        let object: JSONValue = [
            "target": .string(target), "runs": .int(runs), "concurrency": .int(concurrency), "rate": rate.map(JSONValue.double) ?? .null,
            "synchronous": .string(synchronous), "stubDelayMs": .int(stubDelayMs), "elapsedSeconds": .double(elapsed),
            "runsPerSecond": .double(throughput), "latencyMs": latency.map { ["p50": .double($0.p50), "p90": .double($0.p90), "p99": .double($0.p99), "max": .double($0.max)] } ?? .null,
            "daemonCPUMsPerRun": .double(daemonCPU * 1000 / Double(max(completed, 1))), "stubCPUMsPerRun": .double(stubCPU * 1000 / Double(max(completed, 1))),
            "driverCPUMsPerRun": .double(driverCPU * 1000 / Double(max(completed, 1))), "daemonPeakRSSBytes": .int(after.daemon.peakRSSBytes),
            "pollLatencyMs": pollLatency.map { ["p50": .double($0.p50), "p99": .double($0.p99)] } ?? .null,
            "missing": .int(missing), "duplicates": .int(counts.duplicates), "badSignatures": .int(counts.badSignature), "wrongResults": .int(counts.wrongResult),
        ]
        Swift.print(JSONText.encode(object))
    }
}
