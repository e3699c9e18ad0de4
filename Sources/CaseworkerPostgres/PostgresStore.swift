import CaseworkerCore
import CaseworkerStore
import Foundation
import Logging
import NIOSSL
import PostgresNIO
import ServiceLifecycle

/// The PostgreSQL implementation of the storage boundary, for several `caseworker serve` processes
/// on one database (`database.url`).
///
/// One per process. Its `PostgresClient` pool serves only while `run()` runs: the daemon runs the
/// store as a service of its group, a command inside `withRunning`. Every write is one transaction
/// named after its intention (`write`); reads run on any pooled connection (`read`). Work the
/// instances share (runs, deliveries, worker tasks) is claimed in single statements with
/// `FOR UPDATE SKIP LOCKED` and leases; commits that other instances must see at once are announced
/// with `NOTIFY` (`PostgresNotifications`), and `signals` fire for this process's waiters.
public final class PostgresStore: Sendable, Service {
    let client: PostgresClient
    let clock: any WallClock
    let logger: Logger
    public let options: PostgresOptions
    public let ids = ULIDGenerator()
    public let signals = StoreSignals()
    /// Signalled after every commit, here or on another instance, that inserted a webhook
    /// delivery, so the dispatcher sends it at once.
    public let outboxSignal = WorkSignal()
    /// Names this process in the notifications it sends, so that it ignores its own.
    let instanceId = UUID().uuidString
    let notifications: PostgresNotifications

    public init(options: PostgresOptions, clock: any WallClock = SystemClock(), logger: Logger = Logger(label: "caseworker.store")) {
        self.options = options
        self.clock = clock
        self.logger = logger
        let configuration = Self.clientConfiguration(options)
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        notifications = PostgresNotifications(logger: logger)
    }

    /// Serves the pool and listens for the other instances' notifications until cancelled or,
    /// in a service group, until graceful shutdown (put the store first in the group: it stops
    /// last).
    public func run() async {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.client.run() }
                group.addTask { await self.notifications.listen(store: self) }
            }
        }
    }

    /// Runs `body` while the pool serves (the command line's way to use the store).
    public func withRunning<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.run() }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    /// The pool's configuration for `options` (TLS as `sslmode` says).
    public static func clientConfiguration(_ options: PostgresOptions) -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch options.tls {
        case .disable: tls = .disable
        case .prefer:
            var insecure = TLSConfiguration.makeClientConfiguration()
            insecure.certificateVerification = .none
            tls = .prefer(insecure)
        case .require:
            var insecure = TLSConfiguration.makeClientConfiguration()
            insecure.certificateVerification = .none
            tls = .require(insecure)
        case .verifyFull: tls = .require(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(
            host: options.host, port: options.port, username: options.username, password: options.password,
            database: options.database, tls: tls)
        configuration.options.maximumConnections = options.maximumConnections
        configuration.options.minimumConnections = 1
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    func newId() -> String { ids.next(at: clock.now) }

    var nowMillis: Int64 { Timestamp.millis(clock.now) }
}

/// Failures of the PostgreSQL store that are not a client's doing.
public enum PostgresStoreError: Error, CustomStringConvertible {
    /// TODO(#18): a part of the store not written yet.
    case notImplemented(String)

    public var description: String {
        switch self {
        case .notImplemented(let method): "the PostgreSQL store does not implement \(method) yet"
        }
    }
}
