import AsyncHTTPClient
import CaseworkerCore
import CaseworkerOutbound
import CaseworkerStore
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// The service that sends the webhook outbox (SPEC 3): claims due deliveries with a lease,
/// sends each attempt, and records it.
///
/// - **One shared `HTTPClient`**, created in `run()` and shut down when it returns; redirects
///   are not followed; every connection goes through the in-process `SSRFGuardProxy`, which
///   checks the address it connects to on every new connection.
/// - **Isolation:** at most `maxInFlightPerEndpoint` attempts per endpoint and `maxInFlight` in
///   all; each attempt is its own child task bounded by `attemptTimeout`, so an endpoint that
///   hangs holds only its own slots and never delays another endpoint's deliveries.
/// - **No transaction across HTTP:** a claim is one short write transaction, the HTTP exchange
///   runs with nothing open, and the attempt is recorded in another. A slot counts requests in
///   flight: it is free once the exchange ends, while the attempt is being recorded.
/// - **Throughput:** at most one claim runs at a time, as a child task; slots freed while it
///   commits are filled together by the next one.
/// - **Waking:** `signal` (the store's outbox signal, notified on every commit that inserts a
///   delivery) or every `pollInterval`, for retries coming due and work from other processes.
/// - **Start-up rescue:** deliveries left `DELIVERING` by a process that died are made due at
///   once (`releaseAbandonedLeases`); while running, an expired lease is claimable too.
/// - **Shutdown:** on graceful shutdown it stops claiming, lets attempts in flight finish for up
///   to `shutdownGrace`, then cancels the rest; a cancelled attempt is not recorded, so it is
///   sent again (same `webhook-id`) after the restart.
/// - **Time** comes from `clock`: tests drive the schedule, lease expiry and the disable policy
///   with a manual clock.
/// - **Metrics:** every attempt sent and every endpoint disabled is counted in `metrics`
///   (`DeliveryMetrics`); cancelled attempts are not.
public final class DeliveryDispatcher: Service, Sendable {
    private let store: any DeliveryStore
    private let signal: WorkSignal
    /// The settings, re-read where they may change at a reload (`webhooks.*` except
    /// `attemptTimeoutSeconds`, which the HTTP client fixes when the dispatcher starts).
    private let settings: Reloadable<DispatcherConfiguration>
    private var configuration: DispatcherConfiguration { settings.current }
    /// The SSRF guard's policy, shared with the proxy so a reload applies to the next connection.
    private let addressPolicy: Reloadable<AddressPolicy>
    private let clock: any WallClock
    private let logger: Logger
    private let metrics: DeliveryMetrics
    /// This process's lease owner name.
    public let owner: String

    public init(
        store: any DeliveryStore, signal: WorkSignal, configuration: DispatcherConfiguration = .init(),
        clock: any WallClock = SystemClock(), metrics: DeliveryMetrics = .init(), logger: Logger
    ) {
        self.store = store
        self.metrics = metrics
        self.signal = signal
        self.settings = Reloadable(configuration)
        self.addressPolicy = Reloadable(configuration.addressPolicy)
        self.clock = clock
        self.logger = logger
        self.owner = "dispatcher-" + ULIDGenerator().next(at: Date())
    }

    /// Applies new settings while running (a SIGHUP reload): the schedule, in-flight limits,
    /// disable period and allowed networks take effect for the next claim, attempt or connection.
    /// `attemptTimeout` keeps the value the dispatcher started with.
    public func reload(_ configuration: DispatcherConfiguration) {
        var updated = configuration
        updated.attemptTimeout = settings.current.attemptTimeout
        settings.replace(with: updated)
        addressPolicy.replace(with: configuration.addressPolicy)
    }

    public func run() async throws {
        // One daemon per SQLite file: whatever is still leased was left by a process that died.
        let rescued = try await store.releaseAbandonedLeases(now: clock.now)
        if rescued > 0 {
            logger.notice(
                "webhook deliveries left in flight by a previous process are sent again", metadata: ["count": .stringConvertible(rescued)])
        }
        let proxy = try await SSRFGuardProxy.start(
            policy: addressPolicy, connectTimeout: min(configuration.attemptTimeout, .seconds(10)), logger: logger)
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.redirectConfiguration = .disallow
        clientConfiguration.proxy = .socksServer(host: "127.0.0.1", port: proxy.port)
        clientConfiguration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(configuration.maxInFlightPerEndpoint, 8))
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        clientConfiguration.timeout = .init(
            connect: .nanoseconds(DeliverySender.nanoseconds(min(configuration.attemptTimeout, .seconds(10)))),
            read: .nanoseconds(DeliverySender.nanoseconds(configuration.attemptTimeout)))
        clientConfiguration.tracing.tracer = nil  // no tracer is bootstrapped (see HTTPRequestAction.makeClient)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        logger.info(
            "webhook dispatcher started",
            metadata: [
                "max_in_flight": .stringConvertible(configuration.maxInFlight),
                "max_in_flight_per_endpoint": .stringConvertible(configuration.maxInFlightPerEndpoint),
                "allowed_networks": .string(configuration.addressPolicy.allowedNetworks.map(\.description).joined(separator: ",")),
            ])
        await dispatch(sender: DeliverySender(client: client, policy: addressPolicy, timeout: configuration.attemptTimeout))
        try? await client.shutdown()
        try? await proxy.close()
        logger.info("webhook dispatcher stopped")
    }

    private enum Event: Sendable {
        /// An attempt's HTTP exchange ended (its endpoint slot is free); `record` writes it.
        case attemptSent(endpointId: String, record: (@Sendable () async -> Void)?)
        case recorded
        /// A claim returned `deliveries`; it asked for `requested`.
        case claimed(_ deliveries: [ClaimedDelivery], requested: Int)
        case claimFailed(any Error)
        case woken
        case graceOver
    }

    /// The claim loop; returns once draining finished (or the task was cancelled).
    private func dispatch(sender: DeliverySender) async {
        let draining = Atomic(false)
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Event.self) { group in
                var inFlight: [String: Int] = [:]
                var total = 0
                var waiting = false
                var graceTimer = false
                var claimWanted = true
                // At most one claim at a time, as a child task: attempts that finish while it
                // commits are counted, and the next claim fills all the slots they freed at once.
                var claiming = false
                // A claim limits each endpoint by the in-flight counts of when it started: a slot
                // freed while it runs is looked at again by another claim once it returns.
                var freedDuringClaim = false
                var recording = 0
                while !Task.isCancelled {
                    if draining.load(ordering: .relaxed) {
                        if total == 0 && !claiming && recording == 0 { break }
                        if !graceTimer {
                            graceTimer = true
                            logger.info("webhook dispatcher draining", metadata: ["in_flight": .stringConvertible(total)])
                            let grace = configuration.shutdownGrace
                            group.addTask {
                                try? await Task.sleep(for: grace)
                                return .graceOver
                            }
                        }
                    } else {
                        let capacity = configuration.maxInFlight - total
                        if claimWanted, capacity > 0, !claiming {
                            claimWanted = false
                            claiming = true
                            let busy = inFlight
                            let (perEndpoint, lease, owner, now) =
                                (configuration.maxInFlightPerEndpoint, configuration.leaseDuration, owner, clock.now)
                            group.addTask {
                                do {
                                    let claimed = try await self.store.claimDueDeliveries(
                                        limit: capacity, perEndpointLimit: perEndpoint, inFlight: busy, leaseOwner: owner,
                                        leaseDuration: lease, now: now)
                                    return .claimed(claimed, requested: capacity)
                                } catch {
                                    return .claimFailed(error)
                                }
                            }
                        }
                        if !waiting {
                            waiting = true
                            let poll = configuration.pollInterval
                            group.addTask {
                                await self.signal.wait(timeout: poll)
                                return .woken
                            }
                        }
                    }
                    guard let event = await group.next() else { break }
                    switch event {
                    case .attemptSent(let endpointId, let record):
                        let count = inFlight[endpointId, default: 1]
                        // A slot of a full endpoint (or of a full dispatcher) freed: its due work may go now.
                        if count >= configuration.maxInFlightPerEndpoint || total >= configuration.maxInFlight { claimWanted = true }
                        inFlight[endpointId] = count > 1 ? count - 1 : nil
                        total -= 1
                        if claiming { freedDuringClaim = true }
                        // The slot limits requests to the endpoint, not writes: the attempt is
                        // recorded while the slot already serves the next delivery.
                        if let record {
                            recording += 1
                            group.addTask {
                                await record()
                                return .recorded
                            }
                        }
                    case .recorded:
                        recording -= 1
                    case .claimed(let claimed, let requested):
                        claiming = false
                        for delivery in claimed {
                            inFlight[delivery.endpointId, default: 0] += 1
                            total += 1
                            group.addTask {
                                .attemptSent(endpointId: delivery.endpointId, record: await self.send(delivery, sender: sender))
                            }
                        }
                        // A full claim may have left due work behind, and so may one that ran with
                        // stale in-flight counts.
                        if claimed.count == requested || freedDuringClaim { claimWanted = true }
                        freedDuringClaim = false
                    case .claimFailed(let error):
                        claiming = false
                        // A full storage is logged once by the store; the next poll tries again.
                        if case StoreError.storageFull? = error as? StoreError { break }
                        logger.error("claiming webhook deliveries failed", metadata: ["error": "\(error)"])
                    case .woken:
                        waiting = false
                        claimWanted = true
                    case .graceOver:
                        logger.warning(
                            "cancelling webhook attempts still in flight after the shutdown grace; they are sent again after the restart",
                            metadata: ["in_flight": .stringConvertible(total)])
                        group.cancelAll()
                    }
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            draining.store(true, ordering: .relaxed)
            self.signal.signal()
        }
    }

    /// Sends one attempt; answers how to record it (`nil` when cancelled: not recorded, so it is
    /// sent again after the restart). Never throws.
    private func send(_ delivery: ClaimedDelivery, sender: DeliverySender) async -> (@Sendable () async -> Void)? {
        let startedAt = clock.now
        let start = ContinuousClock.now
        let result = await sender.send(delivery, at: startedAt)
        let elapsed = ContinuousClock.now - start
        if Task.isCancelled {
            logger.notice("webhook attempt cancelled", metadata: ["delivery_id": .string(delivery.id)])
            return nil
        }
        return { await self.record(delivery, result: result, startedAt: startedAt, elapsed: elapsed) }
    }

    /// Records a sent attempt: decides by the pure policies, writes it, logs it. Never throws.
    private func record(_ delivery: ClaimedDelivery, result: AttemptResult, startedAt: Date, elapsed: Duration) async {
        metrics.attemptSent(result)
        let finishedAt = clock.now
        let resolution = Self.resolution(
            for: result, attempt: delivery.attempt, schedule: configuration.schedule, now: finishedAt)
        let policy = configuration.disablePolicy
        let record = DeliveryAttempt(
            attempt: delivery.attempt, at: startedAt, responseStatus: result.status,
            durationMs: Int(DeliverySender.nanoseconds(elapsed) / 1_000_000), responseBody: result.body, error: result.errorMessage)
        var metadata: Logger.Metadata = [
            "delivery_id": .string(delivery.id), "event_id": .string(delivery.eventId), "endpoint_id": .string(delivery.endpointId),
            "tenant": .string(delivery.tenantId), "attempt": .stringConvertible(delivery.attempt),
            "status": .string(result.status.map(String.init) ?? "-"), "duration_ms": .stringConvertible(record.durationMs),
        ]
        if let error = result.errorMessage { metadata["error"] = .string(error) }
        do {
            guard
                let recorded = try await store.recordAttempt(
                    deliveryId: delivery.id, leaseOwner: owner, attempt: record, resolution: resolution,
                    shouldDisableEndpoint: { policy.shouldDisable(firstFailureSinceLastSuccess: $0, now: finishedAt) })
            else {
                logger.notice("webhook attempt not recorded: the lease was lost", metadata: metadata)
                return
            }
            metadata["outcome"] = .string(recorded.status.rawValue)
            logger.info("webhook attempt", metadata: metadata)
            if let reason = recorded.endpointDisabledReason {
                metrics.endpointDisabled()
                logger.warning(
                    "webhook endpoint disabled",
                    metadata: ["endpoint_id": .string(delivery.endpointId), "tenant": .string(delivery.tenantId), "reason": .string(reason)])
            }
        } catch {
            metadata["store_error"] = "\(error)"
            logger.error("recording a webhook attempt failed; the delivery is sent again when its lease expires", metadata: metadata)
        }
    }

    /// What an attempt's result means for its delivery: SPEC 3's status rules
    /// (`DeliveryOutcome`) and the retry schedule. Pure.
    static func resolution(for result: AttemptResult, attempt: Int, schedule: RetrySchedule, now: Date) -> DeliveryResolution {
        switch DeliveryOutcome.classify(status: result.status, error: result.error, retryAfterHeader: result.retryAfter, now: now) {
        case .success: return .succeeded
        case .disableEndpoint: return .gone
        case .retry(let retryAfter):
            return schedule.nextAttempt(afterAttempt: attempt, at: now, retryAfter: retryAfter).map { .retry(at: $0) } ?? .exhausted
        }
    }
}
