import ArgumentParser

/// `caseworker-bench`: the benchmark harness of `bench/` (see `docs/PERFORMANCE.md`).
///
/// `w1` drives workload W1 against a real `caseworker serve`; `stub` is the provider W1's
/// `http.request` step calls, run as its own process so its CPU is measured apart from the
/// daemon's; `waiting` measures the daemon's memory with many runs waiting on timers; `fill`
/// writes finished runs straight into a database for the growth measurement; `ping` is a bare
/// Hummingbird server, the ceiling next to the API micro-benchmarks; `floor` answers `w1` with the
/// daemon's HTTP exchanges and nothing else, the floor of the daemon's CPU per run; `backlog` times
/// webhook claims against a growing backlog of due deliveries.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "caseworker-bench",
        abstract: "Benchmarks for Caseworker (see docs/PERFORMANCE.md).",
        subcommands: [W1Command.self, StubCommand.self, WaitingCommand.self, FillCommand.self, PingCommand.self, APICommand.self, FloorCommand.self, BacklogCommand.self])
}
