import ServiceLifecycle

/// Sends `WATCHDOG=1` at half of `WATCHDOG_USEC` while the daemon runs (`WatchdogSec=` in the
/// unit). The pings come from the same task scheduler as the daemon's work, so a process that
/// stops scheduling tasks stops pinging and systemd restarts it.
struct WatchdogService: Service {
    let notifier: SystemdNotifier
    let interval: Duration

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            notifier.notify("WATCHDOG=1")
            try? await cancelOnGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
