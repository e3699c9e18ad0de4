import CaseworkerStore
import CoreMetrics
import Foundation
import Logging
import Synchronization

/// Whether the database's storage is full: set by a write SQLite refused with `SQLITE_FULL`,
/// cleared by the next write that changed something while the file system has at least
/// `minimumFreeBytes` free (a small write that fits in the file's free pages, such as a claim's
/// heartbeat, does not clear it while the disk stays full, so the state does not flap). While it is set, `checkReady` answers
/// `storage full` (`/readyz` 503) and writes answer `StoreError.storageFull` (503 with
/// `Retry-After`). Each change of state is logged once, with the free space of the database's
/// file system, and shown by the gauge `caseworker_storage_full` (1 while full).
final class StorageState: Sendable {
    private let full = Atomic(false)
    private let directory: String
    private let logger: Logger
    private let gauge: Gauge

    init(databasePath: String, logger: Logger, factory: any MetricsFactory) {
        directory = (databasePath as NSString).deletingLastPathComponent
        self.logger = logger
        gauge = Gauge(label: "caseworker_storage_full", factory: factory)
        gauge.record(0)
    }

    var isFull: Bool { full.load(ordering: .acquiring) }

    /// The free space a write must find to end the full state.
    static let minimumFreeBytes: Int64 = 256 * 1024

    /// A write failed for lack of space.
    func markFull() {
        guard !full.exchange(true, ordering: .acquiringAndReleasing) else { return }
        gauge.record(1)
        logger.error(
            "database storage is full: writes answer 503 and /readyz is not ready until a write succeeds",
            metadata: ["free_bytes": .string(freeBytes.map(String.init) ?? "unknown"), "directory": .string(directory)])
    }

    /// A write that changed something committed.
    func markWritable() {
        guard full.load(ordering: .relaxed) else { return }
        let free = freeBytes
        guard free.map({ $0 >= Self.minimumFreeBytes }) ?? true, full.exchange(false, ordering: .acquiringAndReleasing) else { return }
        gauge.record(0)
        logger.notice("database storage is writable again", metadata: ["free_bytes": .string(free.map(String.init) ?? "unknown")])
    }

    /// The bytes free to unprivileged users on the database's file system.
    var freeBytes: Int64? {
        var stats = statvfs()
        guard statvfs(directory.isEmpty ? "." : directory, &stats) == 0 else { return nil }
        return Int64(stats.f_bavail) * Int64(stats.f_frsize)
    }
}
