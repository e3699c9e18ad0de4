import CaseworkerStore
import Logging
import PostgresNIO
import Synchronization

/// Wake-ups across instances over `LISTEN`/`NOTIFY` on one channel.
///
/// Every write transaction that announces something (`StoreAnnouncement`) sends one notification
/// per announcement before it commits; PostgreSQL delivers them on commit, to every listening
/// session. Each instance listens on one pooled connection and fires its own signals for the other
/// instances' notifications (its own it fired already). When the connection is lost (the server
/// restarted, the network broke) it reconnects with a growing pause, and fires every signal once
/// it listens again, for what it may have missed meanwhile; the engine's and the dispatcher's own
/// polling cover the gap in between.
final class PostgresNotifications: Sendable {
    static let channel = "caseworker"

    let logger: Logger
    /// Whether the listening connection was lost and is not back yet (false while it is first
    /// being opened).
    private let lost = Atomic(false)

    init(logger: Logger) {
        self.logger = logger
    }

    /// Whether the database can be reached as far as the listening connection knows: false from
    /// the moment that connection breaks or fails to open until it listens again.
    var isReachable: Bool { !lost.load(ordering: .relaxed) }

    /// Sends `announcements` inside `transaction` (delivered when it commits).
    func send(_ announcements: [StoreAnnouncement], from instanceId: String, in transaction: PostgresTransaction) async throws {
        guard !announcements.isEmpty else { return }
        let payloads = announcements.map { instanceId + " " + $0.payload }
        try await transaction.execute("SELECT pg_notify(\(Self.channel), payload) FROM unnest(\(payloads)::text[]) AS payload")
    }

    /// Listens until the task is cancelled, firing `store`'s signals for other instances' commits.
    func listen(store: PostgresStore) async {
        var pause = Duration.milliseconds(100)
        while !Task.isCancelled {
            do {
                try await store.client.withConnection { connection in
                    try await connection.listen(on: Self.channel) { notifications in
                        lost.store(false, ordering: .relaxed)
                        pause = .milliseconds(100)
                        store.fire([.workAvailable, .outbox])
                        for try await notification in notifications {
                            guard let (instance, announcement) = Self.parse(notification.payload), instance != store.instanceId
                            else { continue }
                            store.fire([announcement])
                        }
                    }
                }
            } catch {
                if Task.isCancelled { break }
                logger.warning("not listening for other instances' changes; retrying", metadata: ["error": "\(String(reflecting: error))"])
            }
            lost.store(true, ordering: .relaxed)
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .seconds(5))
        }
    }

    static func parse(_ payload: String) -> (instance: String, announcement: StoreAnnouncement)? {
        let parts = payload.split(separator: " ", maxSplits: 2).map(String.init)
        guard parts.count >= 2 else { return nil }
        let argument = parts.count == 3 ? parts[2] : nil
        switch (parts[1], argument) {
        case ("run", let id?): return (parts[0], .runChanged(id))
        case ("work", nil): return (parts[0], .workAvailable)
        case ("outbox", nil): return (parts[0], .outbox)
        case ("tasks", let tenantId?): return (parts[0], .taskQueued(tenantId: tenantId))
        default: return nil
        }
    }
}

extension StoreAnnouncement {
    /// The notification's payload after the instance id (`PostgresNotifications.parse` reads it).
    var payload: String {
        switch self {
        case .runChanged(let id): "run " + id
        case .workAvailable: "work"
        case .outbox: "outbox"
        case .taskQueued(let tenantId): "tasks " + tenantId
        }
    }
}
