import ArgumentParser
import CaseworkerCore
import CaseworkerWebhookSigning
import Foundation
import Synchronization

/// Workload W1 against a real daemon: starts the stub provider (a subprocess), the verifying
/// receiver (in this process) and `caseworker serve` (on SQLite, or `--instances` of it on one
/// PostgreSQL database), creates the cases, then starts `--runs` runs with `--concurrency` in
/// flight (or at `--rate` runs per second), round-robin over the instances, and waits for every
/// verified webhook. Prints throughput, latency from run start to verified webhook, CPU per run
/// of each process (the instances summed; the PostgreSQL server's too when it is named), the
/// daemon's peak RSS and status-poll latency; exits non-zero when a run did not complete correctly.
struct W1Command: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "w1", abstract: "Run workload W1 (SPEC 5).")

    @Option(help: "Runs to measure.") var runs = 10_000
    @Option(help: "Runs in flight (started, webhook not yet received).") var concurrency = 64
    @Option(help: "Offered load in runs per second (open loop); without it, a closed loop of --concurrency.") var rate: Double?
    @Option(help: "Runs before the measurement (not counted).") var warmup = 500
    @Option(help: "PRAGMA synchronous of the daemon: full or normal.") var synchronous = "full"
    @Option(help: "The stub provider's delay per request, in milliseconds.") var stubDelayMs = 0
    @Option(help: "Status polls (GET /v1/workflows/{id}) after the runs, for their latency.") var polls = 2_000
    @Option(help: "Serve this existing database (e.g. one `fill` wrote) instead of a new one.") var database: String?
    @Option(help: "Run the daemons on this PostgreSQL database (their database.url) instead of SQLite; --synchronous does not apply.")
    var databaseURL: String?
    @Option(help: "Daemons serving the --database-url database; run starts and status polls go round-robin over them.") var instances = 1
    @Option(help: "Measure the CPU of the PostgreSQL server with this data directory (its postmaster.pid names the postmaster).")
    var postgresDataDir: String?
    @Option(help: "Measure the CPU of the PostgreSQL server whose postmaster has this pid.") var postgresPid: Int32?
    @Option(help: "The caseworker binary.") var binary = Daemon.defaultBinary()
    @Option(help: "The daemon's log level.") var logLevel = "info"
    @Option(help: "engine.maxConcurrentRuns of the daemon.") var maxConcurrentRuns = 64
    @Option(help: "Give up waiting for webhooks after this many seconds.") var timeoutSeconds = 600
    @Flag(help: "Print the figures as one JSON object too.") var json = false
    @Flag(help: "Drive W1's HTTP floor (`caseworker-bench floor`) instead of the daemon: the same HTTP exchanges per run without the daemon's work.")
    var floor = false

    func validate() throws {
        guard runs > 0, concurrency > 0, warmup >= 0, polls >= 0 else { throw ValidationError("counts must be positive") }
        guard ["full", "normal"].contains(synchronous) else { throw ValidationError("--synchronous is full or normal") }
        if let rate, rate <= 0 { throw ValidationError("--rate must be positive") }
        guard instances > 0 else { throw ValidationError("--instances must be positive") }
        guard instances == 1 || databaseURL != nil else { throw ValidationError("several --instances need a --database-url") }
        guard database == nil || databaseURL == nil else { throw ValidationError("--database is a SQLite file: not with --database-url") }
        guard !floor || (database == nil && databaseURL == nil) else { throw ValidationError("--floor has no database") }
        guard postgresDataDir == nil || postgresPid == nil else { throw ValidationError("--postgres-data-dir or --postgres-pid, not both") }
    }

    func run() async throws {
        let stub = try Peer(["stub", "--delay-ms", String(stubDelayMs)])
        defer { stub.stop() }
        let tracker = WebhookTracker()
        let secret = WebhookSecret.generate()
        let receiverPort = try await Receiver.start(secret: secret, tracker: tracker)
        let postgres = try postgresDataDir.map { try Postmaster(dataDirectory: $0) } ?? postgresPid.map { try Postmaster(pid: $0) }
        let storage: Daemon.Storage = databaseURL.map { .postgres(url: $0) } ?? .sqlite(path: database, synchronous: synchronous)
        let targets: [any W1Target] = floor ? [try FloorTarget()] : try await startDaemons(storage)
        defer {
            for target in targets {
                target.stop()
                target.removeFiles()
            }
        }
        let apis = targets.map { APIClient(baseURL: $0.baseURL, key: $0.key, connections: max(concurrency, 8)) }
        let pids = targets.map(\.pid)

        try await W1Workload.setUp(api: apis[0], stubPort: stub.port, receiverPort: receiverPort, secret: secret)
        let cases = try await W1Workload.createCases(warmup + runs, api: apis[0])
        log("setup done: \(cases.count) cases; \(floor ? "floor" : "daemon") pid \(pids.map(String.init).joined(separator: ", ")), stub pid \(stub.pid)")

        let timeout = Duration.seconds(timeoutSeconds)
        if warmup > 0 {
            _ = try await drive(Array(cases.prefix(warmup)), rate: nil, apis: apis, tracker: tracker, timeout: timeout)
            log("warm-up done: \(warmup) runs")
        }

        let before = try Snapshot(daemons: pids, stub: stub.pid, postgres: postgres)
        let started = monotonicNanos()
        let latencies = try await drive(Array(cases.suffix(runs)), rate: rate, apis: apis, tracker: tracker, timeout: timeout)
        let elapsed = Double(monotonicNanos() - started) / 1e9
        let after = try Snapshot(daemons: pids, stub: stub.pid, postgres: postgres)

        let pollLatencies = try await pollStatuses(Array(latencies.keys), apis: apis)
        let counts = tracker.counts
        for api in apis { await api.shutdown() }

        let report = Report(
            target: floor ? "floor" : "daemon", runs: runs, concurrency: concurrency, rate: rate,
            storage: floor ? nil : storage, instances: targets.count, stubDelayMs: stubDelayMs, elapsed: elapsed,
            completed: latencies.count, latency: Percentiles(nanoseconds: Array(latencies.values)),
            pollLatency: Percentiles(nanoseconds: pollLatencies), before: before, after: after, counts: counts)
        report.print(json: json)
        guard report.isCorrect else { throw ExitCode.failure }
    }

    /// The daemons to measure: `instances` of them on `storage` (one on SQLite), each with a
    /// directory, config and log of its own; the first one's config creates the key (and migrates
    /// the database). Stops those already started when one fails to start.
    private func startDaemons(_ storage: Daemon.Storage) async throws -> [Daemon] {
        let settings = ["engine": ["maxConcurrentRuns: \(maxConcurrentRuns)"]]
        var daemons: [Daemon] = []
        do {
            for _ in 0..<instances {
                daemons.append(try await Daemon(binary: binary, storage: storage, logLevel: logLevel, settings: settings, key: daemons.first?.key))
            }
        } catch {
            for daemon in daemons {
                daemon.stop()
                daemon.removeFiles()
            }
            throw error
        }
        return daemons
    }

    /// Starts one run per case, `concurrency` in flight (or paced at `rate`), the i-th through
    /// `apis[i % apis.count]`, and waits for each run's webhook. Answers each completed run's
    /// latency (run-start request sent → verified webhook received), in nanoseconds.
    private func drive(
        _ cases: [String], rate: Double?, apis: [APIClient], tracker: WebhookTracker, timeout: Duration
    ) async throws -> [String: UInt64] {
        let latencies = IndexedResults<(String, UInt64)?>(count: cases.count, initial: nil)
        let deadline = Task {
            try await Task.sleep(for: timeout)
            tracker.abandon()
        }
        defer { deadline.cancel() }
        let oneRun: @Sendable (Int) async throws -> Void = { index in
            let sent = monotonicNanos()
            let started = try await apis[index % apis.count].expect(
                201, .POST, "/v1/workflows/run", ["caseId": .string(cases[index]), "workflowDefinitionId": .string(W1Workload.definitionId)])
            guard let runId = started["id"]?.stringValue else { throw BenchError("no run id in \(started)") }
            if let arrived = await tracker.webhookArrival(runId: runId) { latencies.set(index, (runId, arrived - sent)) }
        }
        if let rate {
            // Open loop: start times follow the schedule whatever the answers; --concurrency is ignored.
            let origin = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in cases.indices {
                    try await Task.sleep(until: origin + .nanoseconds(Int64(Double(index) / rate * 1e9)), clock: .continuous)
                    group.addTask { try await oneRun(index) }
                }
                try await group.waitForAll()
            }
        } else {
            try await forEachConcurrently(cases.count, width: concurrency, oneRun)
        }
        return Dictionary(latencies.values.compactMap { $0 }, uniquingKeysWith: { first, _ in first })
    }

    /// `polls` sequential `GET /v1/workflows/{id}` of finished runs, round-robin over `apis`;
    /// answers their latencies.
    private func pollStatuses(_ runIds: [String], apis: [APIClient]) async throws -> [UInt64] {
        guard !runIds.isEmpty else { return [] }
        var latencies: [UInt64] = []
        latencies.reserveCapacity(polls)
        for index in 0..<polls {
            let start = monotonicNanos()
            try await apis[index % apis.count].expect(200, .GET, "/v1/workflows/\(runIds[index % runIds.count])")
            latencies.append(monotonicNanos() - start)
        }
        return latencies
    }
}

/// What the W1 driver runs against: a real `caseworker serve`, or the HTTP floor.
protocol W1Target {
    var pid: Int32 { get }
    var baseURL: String { get }
    var key: String { get }
    func stop()
    func removeFiles()
}

extension Daemon: W1Target {}

/// `caseworker-bench floor` as a subprocess (it takes any key).
struct FloorTarget: W1Target {
    let peer: Peer

    init() throws { peer = try Peer(["floor"]) }

    var pid: Int32 { peer.pid }
    var baseURL: String { "http://127.0.0.1:\(peer.port)" }
    var key: String { "floor" }
    func stop() { peer.stop() }
    func removeFiles() {}
}

/// Results written by concurrent tasks into fixed slots.
final class IndexedResults<Value: Sendable>: Sendable {
    private let storage: Mutex<[Value]>

    init(count: Int, initial: Value) { storage = Mutex(Array(repeating: initial, count: count)) }
    func set(_ index: Int, _ value: Value) { storage.withLock { $0[index] = value } }
    var values: [Value] { storage.withLock { $0 } }
}

extension IndexedResults where Value == String {
    convenience init(count: Int) { self.init(count: count, initial: "") }
}

func log(_ text: String) {
    FileHandle.standardError.write(Data(("caseworker-bench: " + text + "\n").utf8))
}
