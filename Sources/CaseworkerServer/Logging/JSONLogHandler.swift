import CaseworkerCore
import Foundation
import Logging

/// One JSON object per line on standard output, for journald and log shippers:
/// `{"ts":"2026-11-22T11:24:26.123Z","level":"info","msg":"...","label":"caseworker",...metadata}`.
///
/// swift-log ships only a plain-text handler, so this one is hand-written. The level comes from a
/// shared `Reloadable` so that SIGHUP can change it for every logger at once.
struct JSONLogHandler: LogHandler {
    let label: String
    let level: Reloadable<Logger.Level>
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    var logLevel: Logger.Level {
        get { level.current }
        set {}  // the shared, reloadable level governs
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var object: [String: JSONValue] = [
            "ts": .string(Timestamp.rfc3339(Date())), "level": .string(event.level.rawValue), "msg": .string("\(event.message)"),
            "label": .string(label),
        ]
        let merged = metadata.merging(metadataProvider?.get() ?? [:]) { _, new in new }.merging(event.metadata ?? [:]) { _, new in new }
        for (key, value) in merged where object[key] == nil { object[key] = Self.json(value) }
        LogOutput.write(JSONText.encode(.object(object)) + "\n")
    }

    static func json(_ value: Logger.MetadataValue) -> JSONValue {
        switch value {
        case .string(let text): .string(text)
        case .stringConvertible(let convertible): .string(convertible.description)
        case .array(let values): .array(values.map(json))
        case .dictionary(let values): .object(values.mapValues(json))
        }
    }
}

/// Plain text with the reloadable level, for `--dev` and `log.format: text`.
struct TextLogHandler: LogHandler {
    var inner: StreamLogHandler
    let level: Reloadable<Logger.Level>

    init(label: String, level: Reloadable<Logger.Level>) {
        inner = StreamLogHandler.standardOutput(label: label)
        inner.logLevel = .trace
        self.level = level
    }

    var logLevel: Logger.Level {
        get { level.current }
        set {}
    }

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) { inner.log(event: event) }
}

/// Serialised writes to standard output, one line at a time.
enum LogOutput {
    private static let lock = NSLock()

    static func write(_ line: String) {
        lock.lock()
        defer { lock.unlock() }
        FileHandle.standardOutput.write(Data(line.utf8))
    }
}

/// Installs the process's log handler: JSON or text, at the reloadable level.
public enum LogSetup {
    public enum Format: String, Sendable, CaseIterable {
        case json, text
    }

    /// Bootstraps swift-log once for the process.
    public static func bootstrap(format: Format, level: Reloadable<Logger.Level>) {
        LoggingSystem.bootstrap { label in
            switch format {
            case .json: JSONLogHandler(label: label, level: level)
            case .text: TextLogHandler(label: label, level: level)
            }
        }
    }
}
