import Foundation

/// A temporary directory of executable scripts, for the `exec` tests: each script is written
/// with `chmod +x` and run for real.
public struct ExecutableScripts: Sendable {
    public let directory: URL

    /// A fresh directory (the caller removes it with `remove()`).
    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("caseworker-exec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Writes `text` (starting with its `#!` line) as the executable `name` and returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String, executable: Bool = true) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: executable ? 0o755 : 0o644], ofItemAtPath: url.path)
        return url.path
    }

    /// A path inside the directory (for a file a script writes).
    public func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    public func remove() { try? FileManager.default.removeItem(at: directory) }
}
