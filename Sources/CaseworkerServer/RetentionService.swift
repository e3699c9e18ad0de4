import CaseworkerCore
import CaseworkerSQLite
import Logging
import ServiceLifecycle

/// Automatic retention: every hour (and a minute after start), purges finished runs older than
/// `retention.finishedRuns` and delivered webhook events older than `retention.deliveredEvents`
/// (`0s` keeps them forever). The same purge as `caseworker purge`.
struct RetentionService: Service {
    let store: SQLiteStore
    let retention: CaseworkerConfig.Retention
    let clock: any WallClock
    let logger: Logger

    static let interval: Duration = .seconds(3600)

    func run() async throws {
        guard retention.finishedRuns != .zero || retention.deliveredEvents != .zero else { return }
        try? await cancelOnGracefulShutdown { try await Task.sleep(for: .seconds(60)) }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let counts = try await store.purge(
                    runsFinishedBefore: retention.cutoff(retention.finishedRuns, now: clock.now),
                    eventsBefore: retention.cutoff(retention.deliveredEvents, now: clock.now))
                if counts.runs + counts.events > 0 { logger.info("retention purged", metadata: ["removed": "\(counts)"]) }
            } catch {
                logger.error("retention purge failed", metadata: ["error": "\(error)"])
            }
            try? await cancelOnGracefulShutdown { try await Task.sleep(for: Self.interval) }
        }
    }
}
