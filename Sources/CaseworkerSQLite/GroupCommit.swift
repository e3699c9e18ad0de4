import GRDB
import Synchronization

/// Group commit: write transactions requested at the same time share one SQLite transaction, so
/// one commit (one fsync with `synchronous=FULL`) makes all of them durable.
///
/// Contract of `perform`:
/// - Each body runs in its own savepoint (none when it is alone in the transaction), in
///   submission order: a body that throws is rolled back alone (its caller gets the error) and
///   the others still commit. Later bodies see the writes
///   of earlier ones, exactly as if the transactions had run one after another.
/// - A caller resumes only after the commit that holds its write; if that commit fails, every
///   caller of the batch gets the error and nothing of the batch is written.
/// - No batching delay: while one batch commits, the requests that arrive meanwhile queue, and
///   become the next batch (at most `maxBatch` bodies). A lone request commits at once.
final class GroupCommit: Sendable {
    /// One queued body and how to resume its caller.
    private struct Request: Sendable {
        /// Runs the body (in a savepoint unless it is `alone` in the transaction) and keeps its
        /// result for `finish`. Throws only when alone: its error then rolls the transaction back.
        var apply: @Sendable (Database, _ alone: Bool) throws -> Void
        /// Resumes the caller: `nil` once the batch committed, else the commit's error.
        var finish: @Sendable ((any Error)?) -> Void
    }

    private struct Queue {
        var requests: [Request] = []
        var flushing = false
    }

    static let maxBatch = 512

    private let pool: DatabasePool
    private let queue = Mutex(Queue())

    init(pool: DatabasePool) {
        self.pool = pool
    }

    /// Runs `body` in the next group transaction; returns its value once that transaction
    /// committed.
    func perform<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let outcome = Outcome<T>()
            submit(
                Request(
                    apply: { db, alone in
                        outcome.result = Result {
                            // Alone in its transaction, the body needs no savepoint: if it throws,
                            // the transaction is rolled back.
                            if alone { return try body(db) }
                            return try Self.inSavepoint(db) { try body(db) }
                        }
                        if alone, case .failure(let error) = outcome.result { throw error }
                    },
                    finish: { commitError in
                        if let commitError {
                            continuation.resume(throwing: commitError)
                        } else if let result = outcome.result {
                            continuation.resume(with: result)
                        } else {
                            continuation.resume(throwing: CancellationError())
                        }
                    }))
        }
    }

    /// `body` in a savepoint, with cached statements (GRDB's `inSavepoint` prepares its
    /// statements anew each time, which showed in the profile).
    private static func inSavepoint<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        try db.execute(cached: "SAVEPOINT groupCommit")
        do {
            let value = try body()
            try db.execute(cached: "RELEASE SAVEPOINT groupCommit")
            return value
        } catch {
            try db.execute(cached: "ROLLBACK TRANSACTION TO SAVEPOINT groupCommit")
            try db.execute(cached: "RELEASE SAVEPOINT groupCommit")
            throw error
        }
    }

    private func submit(_ request: Request) {
        let startFlushing = queue.withLock { queue -> Bool in
            queue.requests.append(request)
            guard !queue.flushing else { return false }
            queue.flushing = true
            return true
        }
        if startFlushing { drainOnWriter() }
    }

    /// Batches committed in one turn on the writer's queue before it lets other work in (a
    /// readiness probe's write, a backup) and queues the rest of the drain behind it.
    static let batchesPerTurn = 8

    /// Commits batches on the writer's own queue until the queue of requests is empty: no task
    /// and no thread hop per batch (each hop between Swift concurrency and GRDB's queue was a
    /// thread wake-up in the profile).
    private func drainOnWriter() {
        pool.asyncWriteWithoutTransaction { db in
            for _ in 0..<Self.batchesPerTurn {
                let batch = self.queue.withLock { queue -> [Request] in
                    guard !queue.requests.isEmpty else {
                        queue.flushing = false
                        return []
                    }
                    let batch = Array(queue.requests.prefix(Self.maxBatch))
                    queue.requests.removeFirst(batch.count)
                    return batch
                }
                guard !batch.isEmpty else { return }
                Self.commit(batch, db)
            }
            self.drainOnWriter()
        }
    }

    /// One transaction for `batch`, then its callers resumed.
    private static func commit(_ batch: [Request], _ db: Database) {
        do {
            // BEGIN and COMMIT through the statement cache too (GRDB's `write` prepares them
            // on every transaction).
            try db.execute(cached: "BEGIN IMMEDIATE TRANSACTION")
            do {
                for request in batch {
                    try request.apply(db, batch.count == 1)
                    // An error SQLite answers by rolling the whole transaction back (a full disk,
                    // an I/O error) ends the batch: the bodies after it would run in autocommit.
                    guard db.isInsideTransaction else {
                        throw DatabaseError(resultCode: .SQLITE_ABORT, message: "the group transaction was rolled back")
                    }
                }
                try db.execute(cached: "COMMIT TRANSACTION")
            } catch {
                if db.isInsideTransaction { try? db.execute(cached: "ROLLBACK TRANSACTION") }
                throw error
            }
            for request in batch { request.finish(nil) }
        } catch {
            for request in batch { request.finish(error) }
        }
    }
}

/// The result of one body, written on the writer's queue before the commit and read after it.
private final class Outcome<T: Sendable>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
