import CaseworkerCore
import CaseworkerStore
import Foundation
import Logging
import ServiceLifecycle

/// Automatic retention: every hour (and a minute after start), purges finished runs older than
/// `retention.finishedRuns` and delivered webhook events older than `retention.deliveredEvents`
/// (`0s` keeps them forever). The same purge as `caseworker purge`.
///
/// One instance at a time: each round first takes or renews the maintenance lease `retention`
/// (`MaintenanceStore.takeMaintenanceLease`, always held on SQLite) for one and a half rounds,
/// and only its holder purges. The holder keeps it by renewing it every round; when it stops
/// gracefully it releases it, and when it dies the lease expires, so another instance takes over
/// at its first round after that (within two and a half rounds of the last purge).
struct RetentionService: Service {
    let store: any MaintenanceStore
    let retention: CaseworkerConfig.Retention
    let clock: any WallClock
    let logger: Logger
    /// This instance in the lease (unique per process).
    let owner: String
    var interval: Duration = .seconds(3600)
    var firstDelay: Duration = .seconds(60)

    static let leaseName = "retention"

    func run() async throws {
        guard retention.finishedRuns != .zero || retention.deliveredEvents != .zero else { return }
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: firstDelay) }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await round()
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
        // Cancelled (the daemon stops on an error): the lease expires by itself.
        guard !Task.isCancelled else { return }
        do {
            try await store.releaseMaintenanceLease(name: Self.leaseName, owner: owner)
        } catch {
            logger.warning("releasing the retention lease failed; it expires by itself", metadata: ["error": "\(error)"])
        }
    }

    /// One round: the purge, if this instance holds the lease.
    func round() async {
        do {
            let now = clock.now
            guard try await store.takeMaintenanceLease(name: Self.leaseName, owner: owner, now: now, until: now.addingTimeInterval(interval.seconds * 1.5))
            else {
                logger.debug("retention is done by another instance")
                return
            }
            let counts = try await store.purge(
                runsFinishedBefore: retention.cutoff(retention.finishedRuns, now: now),
                eventsBefore: retention.cutoff(retention.deliveredEvents, now: now))
            if counts.runs + counts.events > 0 { logger.info("retention purged", metadata: ["removed": "\(counts)"]) }
        } catch {
            logger.error("retention purge failed", metadata: ["error": "\(error)"])
        }
    }
}
