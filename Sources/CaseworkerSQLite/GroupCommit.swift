import GRDB
import Synchronization

/// Group commit: write transactions requested at the same time share one SQLite transaction, so
/// one commit (one fsync with `synchronous=FULL`) makes all of them durable.
///
/// Contract of `perform`:
/// - Each body runs in its own savepoint, in submission order: a body that throws is rolled back
///   alone (its caller gets the error) and the others still commit. Later bodies see the writes
///   of earlier ones, exactly as if the transactions had run one after another.
/// - A caller resumes only after the commit that holds its write; if that commit fails, every
///   caller of the batch gets the error and nothing of the batch is written.
/// - No batching delay: while one batch commits, the requests that arrive meanwhile queue, and
///   become the next batch (at most `maxBatch` bodies). A lone request commits at once.
final class GroupCommit: Sendable {
    /// One queued body and how to resume its caller.
    private struct Request: Sendable {
        /// Runs the body in a savepoint and keeps its result for `finish`.
        var apply: @Sendable (Database) -> Void
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
                    apply: { db in
                        outcome.result = Result {
                            var value: T?
                            try db.inSavepoint {
                                value = try body(db)
                                return .commit
                            }
                            return value!
                        }
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

    private func submit(_ request: Request) {
        let startFlushing = queue.withLock { queue -> Bool in
            queue.requests.append(request)
            guard !queue.flushing else { return false }
            queue.flushing = true
            return true
        }
        if startFlushing { Task { await flush() } }
    }

    /// Commits batches until the queue is empty.
    private func flush() async {
        while true {
            let batch = queue.withLock { queue -> [Request] in
                guard !queue.requests.isEmpty else {
                    queue.flushing = false
                    return []
                }
                let batch = Array(queue.requests.prefix(Self.maxBatch))
                queue.requests.removeFirst(batch.count)
                return batch
            }
            guard !batch.isEmpty else { return }
            do {
                try await pool.write { db in
                    for request in batch { request.apply(db) }
                }
                for request in batch { request.finish(nil) }
            } catch {
                for request in batch { request.finish(error) }
            }
        }
    }
}

/// The result of one body, written on the writer's queue before the commit and read after it.
private final class Outcome<T: Sendable>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
