import CaseworkerCore
import Logging
import ServiceLifecycle
import UnixSignals

/// SIGHUP (`systemctl reload caseworker`, `ExecReload`) re-reads the configuration the daemon
/// started with (same file or dev mode, same flags) and applies what can change while running:
/// `log.level`, the `webhooks.*` settings (except `attemptTimeoutSeconds`) and both
/// allow-lists (`webhooks.allowedNetworks`, `engine.httpAllowedNetworks`). Other keys need a
/// restart; a reload that changes them logs which.
///
/// A configuration with problems is logged (every problem with its key) and the running one kept.
/// systemd is told `RELOADING=1` before and `READY=1` after either way. Requests are not
/// interrupted: nothing is restarted.
struct ConfigReloader: Service {
    let selection: InstanceSelection
    let overrides: ConfigLoader.Overrides
    let running: Reloadable<CaseworkerConfig>
    let notifier: SystemdNotifier
    let logger: Logger
    let apply: @Sendable (CaseworkerConfig) -> Void

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        for await _ in hangups.cancelOnGracefulShutdown() {
            notifier.notify("RELOADING=1\nMONOTONIC_USEC=\(SystemdNotifier.monotonicMicroseconds)")
            do {
                let loaded = try await ConfigLoader.load(selection, overrides: overrides)
                let before = running.current
                let needRestart = Self.keysNeedingRestart(from: before, to: loaded)
                apply(loaded)
                running.replace(with: loaded)
                logger.notice(
                    "configuration reloaded",
                    metadata: needRestart.isEmpty ? [:] : ["needs_restart": .string(needRestart.joined(separator: ","))])
            } catch {
                logger.error(
                    "configuration reload failed; the running configuration is kept",
                    metadata: ["problems": .string(error.problems.map(\.description).joined(separator: "; "))])
            }
            notifier.notify("READY=1")
        }
    }

    /// Keys whose new value only takes effect at the next start.
    static func keysNeedingRestart(from old: CaseworkerConfig, to new: CaseworkerConfig) -> [String] {
        var keys: [String] = []
        if old.server != new.server { keys.append("server") }
        if old.database != new.database { keys.append("database") }
        if old.engine != new.engine { keys.append("engine") }
        if old.engineExec != new.engineExec { keys.append("engine.exec") }
        if old.log.format != new.log.format { keys.append("log.format") }
        if old.metrics != new.metrics { keys.append("metrics") }
        if old.webhooks.attemptTimeoutSeconds != new.webhooks.attemptTimeoutSeconds { keys.append("webhooks.attemptTimeoutSeconds") }
        return keys
    }
}
