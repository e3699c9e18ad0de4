import CaseworkerCore
import Metrics

/// What the engine records for `/metrics` (through swift-metrics; the daemon picks the backend):
///
/// - `caseworker_runs_finished_total{status}`: runs that reached a terminal status
///   (`COMPLETED`, `FAILED`, `TIMED_OUT`, `CANCELLED`), counted when the step that ended them
///   committed;
/// - `caseworker_runs_in_flight`: runs the engine is executing right now (claimed, between
///   steps or in one);
/// - `caseworker_workflow_timeout_alerts_total`: `ALERT_ONLY` workflow timeouts that passed
///   (each run alerts once; `TIME_OUT_WF` ends count as `runs_finished_total{status="TIMED_OUT"}`);
/// - `caseworker_run_executor_failures_total`: errors of the engine itself while executing a run
///   (a stored value or definition it cannot read), each counted on its run
///   (`RunLifecycle.executorFailed`);
/// - `caseworker_step_duration_seconds{action,outcome}`: each step attempt, from evaluating its
///   config to deciding what follows, by action (`http.request`, `transform`, ...) and outcome
///   status (`OK`, `KO`, `SKIP`, `TIMEOUT`).
///
/// Every label value comes from a closed enumeration (`RunStatus`, `ActionName`,
/// `StepOutcome.Status`), never from tenant data, so the number of series is bounded.
public struct EngineMetrics: Sendable {
    private let factory: any MetricsFactory
    private let finished: [RunStatus: Counter]
    let runsInFlight: Meter
    private let timeoutAlerts: Counter
    private let executorFailures: Counter

    /// `factory` defaults to the process-wide `MetricsSystem.factory` (a no-op until the daemon
    /// bootstraps it); tests pass their own.
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        // Created up front so that every terminal status shows, at 0, from the start.
        var finished: [RunStatus: Counter] = [:]
        for status in RunStatus.allCases where status.isTerminal {
            finished[status] = Counter(
                label: "caseworker_runs_finished_total", dimensions: [("status", status.rawValue)], factory: factory)
        }
        self.finished = finished
        runsInFlight = Meter(label: "caseworker_runs_in_flight", factory: factory)
        runsInFlight.set(0)
        timeoutAlerts = Counter(label: "caseworker_workflow_timeout_alerts_total", factory: factory)
        executorFailures = Counter(label: "caseworker_run_executor_failures_total", factory: factory)
    }

    func executorFailed() {
        executorFailures.increment()
    }

    func timeoutAlerted() {
        timeoutAlerts.increment()
    }

    func runFinished(_ status: RunStatus) {
        finished[status]?.increment()
    }

    func stepFinished(action: String, outcome: StepOutcome.Status, duration: Duration) {
        Timer(
            label: "caseworker_step_duration_seconds", dimensions: [("action", action), ("outcome", outcome.rawValue)],
            factory: factory
        ).record(duration: duration)
    }
}
