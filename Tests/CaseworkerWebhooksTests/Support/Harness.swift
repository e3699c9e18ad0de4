import CaseworkerCore
@testable import CaseworkerSQLite
import CaseworkerStore
import CaseworkerTestSupport
import CaseworkerWebhookSigning
import Foundation
import Logging
import ServiceLifecycle
import Testing

@testable import CaseworkerOutbound
@testable import CaseworkerWebhooks

/// A migrated SQLite file in a temporary directory, a tenant, and a clock.
struct Harness: Sendable {
    let store: SQLiteStore
    let clock: any WallClock
    let directory: URL
    static let tenant = "t"

    static let secret = WebhookSecret.generate()

    init(clock: any WallClock = ManualClock()) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("caseworker-dispatch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.clock = clock
        store = try SQLiteStore(options: .init(path: directory.appendingPathComponent("db.sqlite").path), clock: clock)
        try store.migrate()
        _ = try await store.createKey(tenantId: Self.tenant, name: "k", scopes: [.admin], secret: .generate())
    }

    var manualClock: ManualClock { clock as! ManualClock }

    func endpoint(_ url: String, events: [WebhookEventType] = WebhookEventType.defaultSubscription, secret: WebhookSecret = Harness.secret)
        async throws -> WebhookEndpoint
    {
        try await store.createEndpoint(tenantId: Self.tenant, fields: .init(url: url, events: events), secret: secret.text)
    }

    /// Enqueues an event as the engine does, inside a write transaction; returns its id.
    @discardableResult
    func enqueue(_ type: WebhookEventType = .completed, run: String = "run-1", dueIn: TimeInterval = 0) async throws -> String {
        let eventId = "msg_" + ULIDGenerator().next(at: Date())
        let now = Timestamp.millis(clock.now.addingTimeInterval(dueIn))
        try await store.pool.write { db in
            try SQLiteStore.enqueueEvent(
                db, tenantId: Self.tenant, type: type.rawValue,
                data: ["id": .string(run), "status": "COMPLETED", "result": ["score": 80], "error": nil], runId: run, eventId: eventId,
                now: now)
        }
        return eventId
    }

    func deliveries(endpoint: String? = nil) async throws -> [WebhookDelivery] {
        try await store.listDeliveries(tenantId: Self.tenant, filter: .init(endpointId: endpoint), page: .init(limit: 500)).items
    }

    func detail(_ id: String) async throws -> WebhookDeliveryDetail {
        try #require(try await store.findDelivery(tenantId: Self.tenant, id: id))
    }

    /// The deliveries of `endpoint` once each has at least `attempts` attempts recorded.
    func waitForAttempts(_ endpoint: String, count deliveries: Int = 1, attempts: Int = 1, timeout: Duration = .seconds(15)) async throws
        -> [WebhookDelivery]
    {
        try await waitFor("\(deliveries) deliveries of \(endpoint) with \(attempts) attempts", timeout: timeout) {
            let list = try await self.deliveries(endpoint: endpoint)
            return list.count == deliveries && list.allSatisfy { $0.attemptCount >= attempts && $0.status != .delivering }
        }
        return try await self.deliveries(endpoint: endpoint)
    }

    /// Runs a dispatcher over this store during `body`, then shuts it down gracefully.
    func withDispatcher<T: Sendable>(
        _ configuration: DispatcherConfiguration = Harness.testConfiguration(), _ body: @Sendable (DeliveryDispatcher) async throws -> T
    ) async throws -> T {
        var logger = Logger(label: "dispatcher")
        logger.logLevel = .critical
        let dispatcher = DeliveryDispatcher(
            store: store, signal: store.outboxSignal, configuration: configuration, clock: clock, logger: logger)
        let group = ServiceGroup(services: [dispatcher], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                let result = try await body(dispatcher)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                tasks.cancelAll()
                throw error
            }
        }
    }

    /// Local receivers on loopback are allowed; no jitter, so times are exact.
    static func testConfiguration(
        delays: [Duration] = RetrySchedule.defaultDelays, attemptTimeout: Duration = .seconds(5), perEndpoint: Int = 16, total: Int = 256,
        allowed: [String] = ["127.0.0.0/8"]
    ) -> DispatcherConfiguration {
        DispatcherConfiguration(
            schedule: RetrySchedule(delays: delays, jitter: 0), attemptTimeout: attemptTimeout, maxInFlightPerEndpoint: perEndpoint,
            maxInFlight: total, addressPolicy: AddressPolicy(allowedNetworks: allowed.compactMap(CIDR.init)),
            pollInterval: .milliseconds(50), shutdownGrace: .seconds(5))
    }

    func cleanUp() {
        try? FileManager.default.removeItem(at: directory)
    }
}
