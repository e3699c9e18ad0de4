import CaseworkerCore
import CaseworkerStore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Settings of the engine (`engine.*` in the configuration).
public struct EngineConfiguration: Sendable, Equatable {
    /// `engine.maxConcurrentRuns`: runs executing at once. Default 64.
    public var maxConcurrentRuns = 64
    /// `engine.maxStepsPerRun`: step executions per run before it fails with
    /// `step_limit_exceeded`. Default 1000.
    public var maxStepsPerRun = 1000
    /// The longest the engine sleeps without looking for due work (a fallback; commits wake it
    /// at once). Default 1 s.
    public var pollInterval: Duration = .seconds(1)
    /// `engine.shutdownGraceSeconds`: how long running steps may finish after SIGTERM before
    /// they are cancelled (and run again after the restart). Default 20 s.
    public var shutdownGrace: Duration = .seconds(20)
    /// `limits.*`: the bounds on the values steps produce and on each evaluation's work.
    public var limits = ValueLimits.default

    public init() {}
}

/// The run engine: a `Service` that claims due runs and executes their steps, up to
/// `maxConcurrentRuns` at once.
///
/// It wakes when the store signals new work (a run started or released) and otherwise sleeps
/// until the earliest due time (a retry's delay, a timer, a workflow-timeout deadline) or
/// `pollInterval`. Each round first applies the workflow timeouts that are due, then claims. At start-up it releases every
/// claim, so runs a crash left `RUNNING` are resumed: their interrupted step runs again. On
/// graceful shutdown it stops claiming, lets running steps finish within `shutdownGrace`, then
/// cancels them.
///
/// Runs finished, runs in flight and step durations are recorded in `metrics` (`EngineMetrics`).
public final class RunEngine: Service, Sendable {
    private let store: any EngineStore
    private let metrics: EngineMetrics
    private let configuration: EngineConfiguration
    private let clock: any WallClock
    private let logger: Logger
    private let executor: RunExecutor
    private let stopping = StopFlag()
    private let inFlight = Atomic<Int>(0)
    private let idle = WorkSignal()

    public init(
        store: any EngineStore, actions: ActionRegistry, configuration: EngineConfiguration = .init(),
        clock: any WallClock = SystemClock(), metrics: EngineMetrics = .init(), logger: Logger
    ) {
        self.store = store
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
        let stopping = self.stopping
        self.executor = RunExecutor(
            store: store, definitions: DefinitionCache(), actions: actions, clock: clock, ids: ULIDGenerator(),
            owner: "engine-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))",
            maxStepsPerRun: configuration.maxStepsPerRun, limits: configuration.limits, metrics: metrics, logger: logger,
            isStopping: { stopping.isSet || Task.isCancelled })
    }

    public func run() async throws {
        let released = try await store.releaseAllClaims()
        if released > 0 { logger.notice("resuming runs interrupted by a crash", metadata: ["runs": .stringConvertible(released)]) }
        logger.info("engine started", metadata: ["maxConcurrentRuns": .stringConvertible(configuration.maxConcurrentRuns)])
        await withGracefulShutdownHandler {
            // Discarding: a finished run's child task is freed at once (a plain task group keeps
            // every child's result until it is awaited, which this loop never does).
            await withDiscardingTaskGroup { group in
                await claimLoop(group: &group)
                // Stopping: no more claims; running steps get the grace period, then are cancelled.
                let deadline = ContinuousClock.now + configuration.shutdownGrace
                while inFlight.load(ordering: .acquiring) > 0, ContinuousClock.now < deadline {
                    await idle.wait(timeout: .milliseconds(100))
                }
                if inFlight.load(ordering: .acquiring) > 0 {
                    logger.notice("shutdown grace over; cancelling running steps", metadata: ["runs": .stringConvertible(inFlight.load(ordering: .relaxed))])
                    group.cancelAll()
                }
            }
        } onGracefulShutdown: {
            self.stopping.set()
            self.store.signals.workAvailable.signal()
        }
        logger.info("engine stopped")
    }

    var isStopping: Bool { stopping.isSet || Task.isCancelled }

    private func claimLoop(group: inout DiscardingTaskGroup) async {
        var failures = 0
        while !isStopping {
            await applyDueTimeouts()
            let capacity = configuration.maxConcurrentRuns - inFlight.load(ordering: .acquiring)
            var claimed: [Run] = []
            if capacity > 0 {
                do {
                    claimed = try await store.claimDueRuns(owner: executor.owner, limit: capacity, now: clock.now)
                    failures = 0
                } catch StoreError.storageFull {
                    // Logged once by the store; back off until a write succeeds again.
                    failures += 1
                } catch {
                    failures += 1
                    logger.error("claiming runs failed", metadata: ["error": "\(error)"])
                }
            }
            for run in claimed {
                // A run whose stored row could not be read comes back already failed (`corrupt_state`).
                if run.status.isTerminal {
                    metrics.runFinished(run.status)
                    logger.error(
                        "run failed: its stored row cannot be read",
                        metadata: ["run_id": .string(run.id), "error": .string(run.error?.message ?? "")])
                    continue
                }
                inFlight.add(1, ordering: .acquiringAndReleasing)
                group.addTask {
                    let ok = await self.executor.execute(run)
                    self.inFlight.subtract(1, ordering: .acquiringAndReleasing)
                    self.idle.signal()
                    // A run that failed unexpectedly is due again at once; don't spin on it.
                    if ok { self.store.signals.workAvailable.signal() }
                }
            }
            if claimed.count == capacity && capacity > 0 && failures == 0 { continue }
            await store.signals.workAvailable.wait(timeout: await sleepDuration(failures: failures))
        }
    }

    /// Applies the workflow timeouts that are due (`RunStore.applyDueTimeouts`): logs each, counts
    /// `TIMED_OUT` ends and alerts. A failure is logged and tried again on the next round.
    private func applyDueTimeouts() async {
        do {
            for applied in try await store.applyDueTimeouts(now: clock.now, limit: 100) {
                let metadata: Logger.Metadata = [
                    "run_id": .string(applied.run.id), "case_id": .string(applied.run.caseId),
                    "policy": .string(applied.policy.rawValue), "step": .string(applied.run.error?.stepId ?? applied.run.currentStepId ?? ""),
                ]
                switch applied.policy {
                case .timeOutWorkflow:
                    metrics.runFinished(.timedOut)
                    logger.notice("run timed out (TIME_OUT_WF)", metadata: metadata)
                case .alertOnly:
                    metrics.timeoutAlerted()
                    logger.warning("run exceeded its workflow timeout (ALERT_ONLY); it goes on", metadata: metadata)
                }
            }
        } catch {
            logger.error("applying workflow timeouts failed", metadata: ["error": "\(error)"])
        }
    }

    /// Until the next due run, at most `pollInterval` (longer after repeated failures).
    private func sleepDuration(failures: Int) async -> Duration {
        if failures > 0 { return configuration.pollInterval * min(failures, 30) }
        guard let due = try? await store.nextDueDate() else { return configuration.pollInterval }
        let seconds = max(0, due.timeIntervalSince(clock.now))
        return min(configuration.pollInterval, .milliseconds(Int64(seconds * 1000) + 1))
    }
}

/// Set once when the engine starts stopping; read by the engine and its executors.
final class StopFlag: Sendable {
    private let value = Atomic(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}
