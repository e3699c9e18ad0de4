import CaseworkerSQLite
import CoreMetrics
import Foundation

/// Opening the storage of the selected instance, the same way for every command.
public enum Instance {
    /// Opens the configured database. In dev mode the data directory is created if missing.
    /// The caller migrates (`SQLiteStore.migrate()`), which every command does before use.
    /// `metricsFactory` receives the store's commit latencies (the daemon's backend).
    public static func openStore(
        config: CaseworkerConfig, selection: InstanceSelection, metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) throws -> SQLiteStore {
        if case .dev(let directory) = selection {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let directory = URL(fileURLWithPath: config.database.path).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: directory) else {
            throw InstanceError(message: "the database directory \(directory) does not exist (database.path)")
        }
        return try SQLiteStore(
            options: .init(
                path: config.database.path, synchronous: config.database.synchronous,
                busyTimeout: .milliseconds(config.database.busyTimeoutMilliseconds)),
            metricsFactory: metricsFactory)
    }
}

public struct InstanceError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
