import CaseworkerPostgres
import CaseworkerSQLite
import CoreMetrics
import Foundation
import Logging

/// Opening the storage of the selected instance, the same way for every command.
public enum Instance {
    /// Opens the configured database: PostgreSQL when `database.url` is set, else the SQLite file
    /// `database.path` (in dev mode its directory is created if missing). Connects to nothing yet:
    /// the caller runs the store (`OpenedStore.withRunning`) and migrates it, as every command
    /// does before use. `metricsFactory` receives the SQLite store's commit latencies (the
    /// daemon's backend).
    public static func openStore(
        config: CaseworkerConfig, selection: InstanceSelection, metricsFactory: any MetricsFactory = MetricsSystem.factory,
        logger: Logger = Logger(label: "caseworker.store")
    ) throws -> OpenedStore {
        if let options = config.database.url { return .postgres(PostgresStore(options: options, logger: logger)) }
        if case .dev(let directory) = selection {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let directory = URL(fileURLWithPath: config.database.path).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: directory) else {
            throw InstanceError(message: "the database directory \(directory) does not exist (database.path)")
        }
        return .sqlite(
            try SQLiteStore(
                options: .init(
                    path: config.database.path, synchronous: config.database.synchronous,
                    busyTimeout: .milliseconds(config.database.busyTimeoutMilliseconds)),
                metricsFactory: metricsFactory, logger: logger))
    }
}

public struct InstanceError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
