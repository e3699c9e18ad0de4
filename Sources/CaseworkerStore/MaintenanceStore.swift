import Foundation

/// The daemon's periodic maintenance: the retention purge, and the leases that let one instance
/// at a time do it when several share a database.
public protocol MaintenanceStore: Sendable {
    /// Deletes finished runs (with their timeline) that finished before `runsFinishedBefore`, and
    /// webhook events older than `eventsBefore` whose deliveries have all ended (succeeded or
    /// failed), with their deliveries and attempts; `nil` keeps them. Active runs, pending
    /// deliveries and a branch run whose parent still waits are never touched. Expired
    /// idempotency records go too. Deletes in bounded batches, each its own short transaction,
    /// so that concurrent writers are never held up for long; running it on two instances at
    /// once is harmless (what one deleted the other finds gone), only wasteful.
    func purge(runsFinishedBefore: Date?, eventsBefore: Date?) async throws -> PurgeCounts

    /// Takes the maintenance lease `name` for `owner` until `until`, or renews it, in one
    /// conditional write: it is taken when no one holds it, when its holder's lease expired
    /// before `now`, or when `owner` already holds it. Answers whether `owner` holds it now.
    ///
    /// The holder does the maintenance `name` stands for, and renews the lease before it expires;
    /// an instance that dies stops renewing, and another takes the lease once it has expired
    /// (fail-over). Times are the instances' clocks: keep them in sync (NTP). A store of one
    /// process (SQLite) always answers `true`.
    func takeMaintenanceLease(name: String, owner: String, now: Date, until: Date) async throws -> Bool

    /// Gives up `owner`'s lease `name` (graceful shutdown), so that another instance takes it at
    /// once. Does nothing when `owner` does not hold it.
    func releaseMaintenanceLease(name: String, owner: String) async throws
}

/// What a purge removed.
public struct PurgeCounts: Sendable, Equatable, CustomStringConvertible {
    public var runs: Int
    public var events: Int

    public init(runs: Int, events: Int) {
        self.runs = runs
        self.events = events
    }

    public var description: String { "\(runs) finished runs, \(events) delivered webhook events" }
}
