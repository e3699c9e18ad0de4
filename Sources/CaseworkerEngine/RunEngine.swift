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
    /// `engine.maxExecutorFailures`: errors of the engine itself on one run (not step failures)
    /// after which the run ends `FAILED` with `internal_error`; the failures before back off
    /// 1 s, 2 s, 4 s, ... Default 5.
    public var maxExecutorFailures = 5
    /// `engine.leaseSeconds`: how long a claim holds without renewal. An engine that dies leaves
    /// its runs to be claimed by another within this time. Default 6 s.
    public var lease: Duration = .seconds(6)
    /// `engine.heartbeatSeconds`: how often the engine renews the claims it holds; less than
    /// `lease`. Default 2 s.
    public var heartbeat: Duration = .seconds(2)
    /// `engine.maxBranches`: the most branches a `parallel` step may have (checked at save, and
    /// when the step starts). Default 32.
    public var maxBranches = ParallelStep.defaultMaxBranches

    public init() {}
}

/// The run engine: a `Service` that claims due runs and executes their steps, up to
/// `maxConcurrentRuns` at once.
///
/// It wakes when the store signals new work (a run started or released) and otherwise sleeps
/// until the earliest due time (a retry's delay, a timer, a workflow-timeout deadline, a claim's
/// expiry) or `pollInterval`. Each round first applies the workflow timeouts that are due, then
/// claims. Claims are leases (`lease`), renewed every `heartbeat` while the engine runs; a run
/// whose engine died is claimed again once its lease expires, and its interrupted step runs
/// again. At start-up the engine asks the store to release stale claims
/// (`releaseClaimsAtStartup`: all of them on a store of one process). On graceful shutdown it
/// stops claiming, lets running steps finish within `shutdownGrace`, then cancels them.
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
    private let claims = HeldClaims()
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
        let definitions = DefinitionCache()
        self.executor = RunExecutor(
            store: store, definitions: definitions,
            planner: RunPlanner(store: store, definitions: definitions, limits: configuration.limits), actions: actions,
            clock: clock, ids: store.ids,
            owner: "engine-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))",
            maxStepsPerRun: configuration.maxStepsPerRun, maxExecutorFailures: configuration.maxExecutorFailures,
            maxBranches: configuration.maxBranches,
            limits: configuration.limits, metrics: metrics, logger: logger, claims: claims, isStopping: { stopping.isSet || Task.isCancelled })
    }

    public func run() async throws {
        let released = try await store.releaseClaimsAtStartup()
        if released > 0 { logger.notice("resuming runs interrupted by a crash", metadata: ["runs": .stringConvertible(released)]) }
        logger.info("engine started", metadata: ["maxConcurrentRuns": .stringConvertible(configuration.maxConcurrentRuns)])
        await withGracefulShutdownHandler {
            // Discarding: a finished run's child task is freed at once (a plain task group keeps
            // every child's result until it is awaited, which this loop never does).
            await withDiscardingTaskGroup { group in
                group.addTask { await self.renewClaims() }
                await claimLoop(group: &group)
                // Stopping: no more claims; running steps get the grace period, then are cancelled.
                let deadline = ContinuousClock.now + configuration.shutdownGrace
                while claims.executingCount > 0, ContinuousClock.now < deadline {
                    await idle.wait(timeout: .milliseconds(100))
                }
                if claims.executingCount > 0 {
                    logger.notice("shutdown grace over; cancelling running steps", metadata: ["runs": .stringConvertible(claims.executingCount)])
                }
                // Cancels the steps still running, if any, and the heartbeat.
                group.cancelAll()
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
            let capacity = configuration.maxConcurrentRuns - claims.executingCount
            var claimed: [Run] = []
            if capacity > 0 {
                do {
                    let now = clock.now
                    claimed = try await store.claimDueRuns(
                        owner: executor.owner, limit: capacity, now: now, leaseUntil: now.addingTimeInterval(configuration.lease.seconds))
                    failures = 0
                } catch StoreError.storageFull {
                    // Logged once by the store; back off until a write succeeds again.
                    failures += 1
                } catch {
                    failures += 1
                    logger.error("claiming runs failed", metadata: ["error": "\(error)"])
                }
            }
            // A run this engine still executes can come back when its renewal failed for a while.
            for run in claimed where !claims.isExecuting(run.id) {
                claims.started(run.id)
                group.addTask {
                    let ok = await self.executor.execute(run)
                    self.claims.finished(run.id)
                    self.idle.signal()
                    // A run that failed unexpectedly is due again at once; don't spin on it.
                    if ok { self.store.signals.workAvailable.signal() }
                }
            }
            if claimed.count == capacity && capacity > 0 && failures == 0 { continue }
            await store.signals.workAvailable.wait(timeout: await sleepDuration(failures: failures))
        }
    }

    /// Applies the workflow timeouts that are due (`RunLifecycle.timeoutDue`, each run read and
    /// changed in one transaction, with its failure workflow resolved first): logs each, counts
    /// `TIMED_OUT` ends and alerts. A failure is logged and tried again on the next round.
    private func applyDueTimeouts() async {
        do {
            for due in try await store.dueTimeouts(now: clock.now, limit: 100) {
                let definition = try? await executor.definition(of: due)
                let failureWorkflow = try await executor.planner.failureWorkflow(of: due, definition: definition)
                guard
                    let (run, change) = try await store.changeRun(tenantId: due.tenantId, id: due.id, { run, context in
                        RunLifecycle.timeoutDue(run, failureWorkflow: failureWorkflow, context: context)
                    }), change != nil, let policy = due.timeout?.policy
                else { continue }
                let metadata: Logger.Metadata = [
                    "run_id": .string(run.id), "case_id": .string(run.caseId), "policy": .string(policy.rawValue),
                    "step": .string(run.error?.stepId ?? run.currentStepId ?? ""),
                ]
                switch policy {
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

    /// Every `heartbeat` until it stops (and its runs are done): renews the claims of the runs
    /// this engine executes, and releases the claims it could not release before.
    private func renewClaims() async {
        while !(stopping.isSet && claims.executingCount == 0), !Task.isCancelled {
            try? await Task.sleep(for: configuration.heartbeat)
            for runId in claims.unreleased {
                guard (try? await store.releaseClaim(runId: runId, owner: executor.owner)) != nil else { break }
                claims.released(runId)
            }
            let executing = claims.executing
            guard !executing.isEmpty else { continue }
            do {
                _ = try await store.renewClaims(
                    owner: executor.owner, runIds: executing, until: clock.now.addingTimeInterval(configuration.lease.seconds))
            } catch {
                logger.error("renewing claims failed", metadata: ["error": "\(error)"])
            }
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
