import CaseworkerCore
import CaseworkerStore
import CaseworkerTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

@testable import CaseworkerSQLite

/// Webhook delivery by the real binary: crash safety under SIGKILL and the `deliveries` commands.
///
/// Events are written into the daemon's database the way the engine writes them
/// (`SQLiteStore.enqueueEvent` in a write transaction), from this test process, so these tests do
/// not need runs; the daemon finds them by polling.
@Suite struct WebhookDeliveryTests {
    /// SIGKILL while deliveries are in flight at a real receiver: after a restart every event
    /// arrives at least once, and only those in flight at the kill arrive twice (same webhook-id).
    @Test func aKilledDaemonLosesNoDelivery() async throws {
        let (directory, config) = try instanceDirectory(extraConfig: "webhooks:\n  allowedNetworks: [127.0.0.0/8]\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await HookReceiver.with { receiver in
            receiver.hold(true)
            let first = try await DaemonProcess(["serve", "--config", config], in: directory)
            let port = try await first.waitForPort()
            let key = try await createKey(config: config, in: directory)
            let endpointId = try await createEndpoint(port: port, key: key, url: "http://127.0.0.1:\(receiver.port)/hook")

            let store = try SQLiteStore(options: .init(path: directory.appendingPathComponent("caseworker.sqlite").path))
            var events: [String] = []
            for run in 0..<40 { events.append(try await enqueue(store, run: "run-\(run)")) }

            // The dispatcher holds its per-endpoint limit of attempts at the receiver: kill it then.
            try await waitFor("16 attempts in flight at the receiver") { receiver.count == 16 }
            let inFlight = Set(receiver.ids)
            first.signal(SIGKILL)
            _ = try await first.waitForExit()
            receiver.hold(false)

            let second = try await DaemonProcess(["serve", "--config", config], in: directory)
            _ = try await second.waitForPort()
            try await waitFor("every delivery succeeded", timeout: .seconds(60)) {
                let items = try await store.listDeliveries(tenantId: nil, filter: .init(endpointId: endpointId), page: .init(limit: 500)).items
                return items.count == 40 && items.allSatisfy { $0.status == .succeeded }
            }
            let received = receiver.ids
            #expect(Set(received) == Set(events), "every event arrived")
            let counts = Dictionary(received.map { ($0, 1) }, uniquingKeysWith: +)
            #expect(counts.values.allSatisfy { $0 <= 2 })
            #expect(Set(counts.filter { $0.value == 2 }.keys).isSubset(of: inFlight), "only attempts cut by the kill repeat")
            second.signal(SIGTERM)
            #expect(try await second.waitForExit() == 0)
        }
    }

    @Test func deliveriesListAndRedeliver() async throws {
        let (directory, config) = try instanceDirectory(extraConfig: "webhooks:\n  schedule: [0s]\n  allowedNetworks: [127.0.0.0/8]\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let daemon = try await DaemonProcess(["serve", "--config", config], in: directory)
        let port = try await daemon.waitForPort()
        let key = try await createKey(config: config, in: directory)
        // Nothing listens there: every attempt is refused, and with one attempt the delivery fails.
        let refusing = RefusingPort()
        defer { withExtendedLifetime(refusing) {} }
        let endpointId = try await createEndpoint(port: port, key: key, url: "http://127.0.0.1:\(refusing.port)/hook")
        let store = try SQLiteStore(options: .init(path: directory.appendingPathComponent("caseworker.sqlite").path))
        let eventId = try await enqueue(store, run: "run-1")
        @Sendable func deliveries() async throws -> [WebhookDelivery] {
            try await store.listDeliveries(tenantId: nil, filter: .init(endpointId: endpointId), page: .init(limit: 50)).items
        }
        try await waitFor("the delivery failed") { try await deliveries().first?.status == .failed }
        let failed = try #require(try await deliveries().first)

        let (listed, listOutput) = try await runCaseworker(["deliveries", "list", "--config", config, "--status", "failed"], in: directory)
        #expect(listed == 0, "\(listOutput)")
        #expect(listOutput.contains(failed.id) && listOutput.contains(eventId) && listOutput.contains("FAILED"))
        #expect(listOutput.contains("connectionRefused"), "\(listOutput)")

        let (redelivered, output) = try await runCaseworker(["deliveries", "redeliver", "--config", config, failed.id], in: directory)
        #expect(redelivered == 0, "\(output)")
        #expect(output.contains("redelivering event \(eventId)"))
        try await waitFor("the redelivery was attempted and failed") {
            let all = try await deliveries()
            return all.count == 2 && all.allSatisfy { $0.status == .failed && $0.eventId == eventId }
        }

        let (bySince, sinceOutput) = try await runCaseworker(
            ["deliveries", "redeliver", "--config", config, "--endpoint", endpointId, "--since", "1h"], in: directory)
        #expect(bySince == 0, "\(sinceOutput)")
        #expect(sinceOutput.contains("1 delivery queued"), "\(sinceOutput)")

        let (unknown, _) = try await runCaseworker(["deliveries", "redeliver", "--config", config, "01NOSUCHDELIVERY"], in: directory)
        #expect(unknown == 1)
        let (usage, usageOutput) = try await runCaseworker(["deliveries", "redeliver", "--config", config], in: directory)
        #expect(usage == 64, "\(usageOutput)")
        let (badSince, _) = try await runCaseworker(
            ["deliveries", "redeliver", "--config", config, "--endpoint", endpointId, "--since", "yesterday"], in: directory)
        #expect(badSince == 64)

        daemon.signal(SIGTERM)
        #expect(try await daemon.waitForExit() == 0)
    }

    // MARK: - Helpers

    func createKey(config: String, in directory: URL) async throws -> String {
        let (status, output) = try await runCaseworker(
            ["keys", "create", "--config", config, "--tenant", "t", "--name", "hooks"], in: directory)
        #expect(status == 0, "\(output)")
        return try #require(output.split(separator: "\n").last.map(String.init))
    }

    func createEndpoint(port: Int, key: String, url: String) async throws -> String {
        let reply = try await request(port: port, .post, "/v1/webhook-endpoints", key: key, json: ["url": .string(url)])
        #expect(reply.0 == .created, "\(reply.1)")
        return try #require(reply.1["id"]?.stringValue)
    }

    /// Writes one `workflow.completed` event as the engine does; returns its id.
    func enqueue(_ store: SQLiteStore, run: String) async throws -> String {
        let eventId = "msg_" + ULIDGenerator().next(at: Date())
        let now = Timestamp.millis(Date())
        try await store.pool.write { db in
            try SQLiteStore.enqueueEvent(
                db, tenantId: "t", type: "workflow.completed", data: ["id": .string(run), "status": "COMPLETED"], runId: run,
                eventId: eventId, now: now)
        }
        return eventId
    }
}

/// A webhook receiver on 127.0.0.1 (port 0) recording each `webhook-id` at `POST /hook`; while
/// held, requests wait before answering 200.
final class HookReceiver: Sendable {
    /// A delivery as received: its `webhook-id`, and the event's `type` and `data.id` (the run).
    struct Delivery: Sendable {
        var webhookId: String
        var type: String?
        var runId: String?
    }

    private let received = Mutex<[String]>([])
    private let deliveries = Mutex<[Delivery]>([])
    private let holding = Mutex(false)
    private let portBox = Mutex(0)

    var port: Int { portBox.withLock { $0 } }
    var ids: [String] { received.withLock { $0 } }
    var count: Int { received.withLock { $0.count } }
    var all: [Delivery] { deliveries.withLock { $0 } }
    func hold(_ on: Bool) { holding.withLock { $0 = on } }

    static func with(_ body: @Sendable (HookReceiver) async throws -> Void) async throws {
        let receiver = HookReceiver()
        let router = Router()
        router.post("hook") { request, _ -> Response in
            let body = try? JSONText.decode(try await request.body.collect(upTo: 1 << 20).readableBytesView)
            let webhookId = request.headers[HTTPField.Name("webhook-id")!] ?? "-"
            receiver.received.withLock { $0.append(webhookId) }
            receiver.deliveries.withLock {
                $0.append(Delivery(webhookId: webhookId, type: body?["type"]?.stringValue, runId: body?["data"]?["id"]?.stringValue))
            }
            while receiver.holding.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
            return Response(status: .ok)
        }
        try await LoopbackServer.serve(router, release: { receiver.hold(false) }) { port in
            receiver.portBox.withLock { $0 = port }
            try await body(receiver)
        }
    }
}
