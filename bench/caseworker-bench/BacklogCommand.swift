import ArgumentParser
import CaseworkerCore
import CaseworkerSQLite
import CaseworkerStore
import CaseworkerWebhookSigning
import Foundation
import GRDB

/// What a webhook claim costs as the backlog of due deliveries grows (a receiver that was down
/// comes back): a store in a temporary directory, one endpoint, and `--sizes` due deliveries in
/// turn; at each size, `--claims` claims of `--limit` deliveries, timed. Claims go straight to
/// the store (no daemon), so the figure is the writer's time per claim.
struct BacklogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "backlog", abstract: "Time webhook claims against a growing backlog.")

    @Option(help: "Backlog sizes (due deliveries), comma-separated, ascending.") var sizes = "1000,10000,100000"
    @Option(help: "Claims timed at each size.") var claims = 50
    @Option(help: "Deliveries per claim (and per endpoint).") var limit = 16

    func run() async throws {
        let backlogs = sizes.split(separator: ",").compactMap { Int($0) }
        guard !backlogs.isEmpty, backlogs == backlogs.sorted() else { throw ValidationError("--sizes must be ascending integers") }
        guard claims > 0, limit > 0 else { throw ValidationError("--claims and --limit must be positive") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("caseworker-backlog-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("backlog.sqlite").path
        let store = try SQLiteStore(options: .init(path: path))
        try store.migrate()
        // The backlog is written beside the store, as the engine writes events (`enqueueEvent`).
        let writer = try DatabaseQueue(path: path)
        _ = try await store.createKey(tenantId: "bench", name: "bench", scopes: [.admin], secret: .generate())
        _ = try await store.createEndpoint(
            tenantId: "bench", fields: .init(url: "https://receiver.example/hook"), secret: WebhookSecret.generate().text)

        let ids = ULIDGenerator()
        var pending = 0
        print("backlog (due deliveries)   claim p50     claim p99     (\(claims) claims of \(limit))")
        for size in backlogs {
            while pending < size {
                let count = min(10_000, size - pending)
                let now = Timestamp.millis(Date())
                try await writer.write { db in
                    for _ in 0..<count {
                        try SQLiteStore.enqueueEvent(
                            db, tenantId: "bench", type: WebhookEventType.completed.rawValue, data: ["id": "run"], runId: nil,
                            eventId: "msg_" + ids.next(at: Date()), now: now)
                    }
                }
                pending += count
            }
            var times: [UInt64] = []
            for _ in 0..<claims {
                let start = monotonicNanos()
                let claimed = try await store.claimDueDeliveries(
                    limit: limit, perEndpointLimit: limit, inFlight: [:], leaseOwner: "bench", leaseDuration: .seconds(600), now: Date())
                times.append(monotonicNanos() - start)
                guard claimed.count == limit else { throw BenchError("a claim took \(claimed.count) deliveries, not \(limit)") }
                pending -= claimed.count
            }
            let percentiles = Percentiles(nanoseconds: times)
            print(
                String(
                    format: "%-26d %8.2f ms   %8.2f ms", size, percentiles?.p50 ?? 0, percentiles?.p99 ?? 0))
        }
    }
}
