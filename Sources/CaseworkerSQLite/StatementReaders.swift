import GRDB
import Synchronization

/// Read-only connections of the store's own for the hot one-statement reads
/// (`SQLiteStore.readStatement`), used synchronously on the caller's thread.
///
/// Why not the pool's readers: GRDB's async read hops to the reader's dispatch queue and back
/// (two thread wake-ups) and checks a connection out of its pool (a barrier queue and a
/// semaphore); together about 7% of the daemon's CPU under W1, for four reads per run
/// (docs/PERFORMANCE.md). A synchronous pool read would avoid the hops but could deadlock: it
/// blocks its thread while waiting for a reader, and the pool's async reads hold theirs until
/// their task resumes on a Swift concurrency thread.
///
/// These connections never make a caller wait: a read takes an idle one, opens another while
/// fewer than `maxCount` are open, and otherwise answers `nil` so the caller reads through the
/// pool. Nor do they sleep: they have no busy timeout, and a read that meets a lock
/// (`SQLITE_BUSY`, rare for a WAL reader) also answers `nil`, so the wait happens in the pool,
/// on its reader's dispatch queue, not on a Swift concurrency thread. They are opened on first
/// need, so a process (or a test) that reads little holds few file descriptors. A statement
/// sees one consistent snapshot (SQLite's autocommit read transaction), as in a pool read.
final class StatementReaders: Sendable {
    private let path: String
    private let configuration: Configuration
    private let maxCount: Int
    private let idle = Mutex<[DatabaseQueue]>([])
    private let opened = Atomic<Int>(0)

    /// Connections to the WAL database at `path` (the pool has created it), at most `maxCount`.
    init(path: String, maxCount: Int, configuration: Configuration) {
        var configuration = configuration
        configuration.label = (configuration.label ?? "caseworker") + ".statement-reader"
        configuration.busyMode = .immediateError
        self.path = path
        self.maxCount = maxCount
        self.configuration = configuration
    }

    /// Runs `body`, a read of exactly one statement, on an idle connection on this thread;
    /// `nil` when all `maxCount` connections are in use or the database is locked.
    func read<T>(_ body: (Database) throws -> T) throws -> T? {
        guard let reader = try checkOut() else { return nil }
        defer { idle.withLock { $0.append(reader) } }
        do {
            return try reader.inDatabase(body)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
            return nil
        }
    }

    private func checkOut() throws -> DatabaseQueue? {
        if let reader = idle.withLock({ $0.popLast() }) { return reader }
        guard opened.wrappingAdd(1, ordering: .relaxed).newValue <= maxCount else {
            opened.wrappingSubtract(1, ordering: .relaxed)
            return nil
        }
        do {
            // Read-only by `PRAGMA query_only`, not by opening the file `readonly`: SQLite then
            // answered `SQLITE_BUSY` to some reads (for the whole busy timeout) where a
            // read-write connection reading the same WAL snapshot does not wait.
            let reader = try DatabaseQueue(path: path, configuration: configuration)
            try reader.inDatabase { db in try db.execute(sql: "PRAGMA query_only = ON") }
            return reader
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
            opened.wrappingSubtract(1, ordering: .relaxed)
            return nil  // opening met a lock too: the pool reads this time
        } catch {
            opened.wrappingSubtract(1, ordering: .relaxed)
            throw error
        }
    }
}
