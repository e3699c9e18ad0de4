import Foundation
import Synchronization
import Testing

/// Runs the real `caseworker` binary (built next to the test bundle, or `$CASEWORKER_BINARY`) as a
/// subprocess and collects its output.
final class DaemonProcess: Sendable {
    let process: Process
    private let output = OutputBuffer()

    /// The binary under test.
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["CASEWORKER_BINARY"] { return URL(fileURLWithPath: path) }
        // The test bundle and the product binaries share the build directory.
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("caseworker")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                return candidate
            }
            directory.deleteLastPathComponent()
        }
        return testBinary.deletingLastPathComponent().appendingPathComponent("caseworker")
    }

    init(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws {
        process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CASEWORKER_") }
        env.merge(environment) { _, new in new }
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let output = self.output
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                output.finished.withLock { $0 = true }
                handle.readabilityHandler = nil
            } else {
                output.text.withLock { $0 += String(decoding: data, as: UTF8.self) }
            }
        }
        try process.run()
    }

    var text: String { output.text.withLock { $0 } }

    /// Waits (at most `timeout`) until the output pipe reached end of file.
    func waitForEndOfOutput(timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !output.finished.withLock({ $0 }) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Waits until the output matches `pattern` and returns the first capture group (or the match).
    func waitForOutput(_ pattern: String, timeout: Duration = .seconds(30)) async throws -> String {
        let regex = try Regex(pattern)
        let deadline = ContinuousClock.now + timeout
        var checksAfterExit = 0
        while true {
            if let match = try regex.firstMatch(in: text) {
                let capture = match.output.count > 1 ? match.output[1].substring : match.output[0].substring
                return String(capture ?? "")
            }
            if !process.isRunning {
                // One more look after the exit, for the pipe's last bytes.
                checksAfterExit += 1
                if checksAfterExit > 5 {
                    throw Failure(message: "caseworker exited (\(process.terminationStatus)) without printing /\(pattern)/:\n\(text)")
                }
            }
            guard ContinuousClock.now < deadline else { throw Failure(message: "timed out waiting for /\(pattern)/ in:\n\(text)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits for a `serve` process to log its address and returns the port.
    func waitForPort() async throws -> Int {
        let port = try await waitForOutput(#"listening on http://127\.0\.0\.1:(\d+)"#)
        return try #require(Int(port))
    }

    func signal(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for the process to exit and returns its exit status.
    func waitForExit(timeout: Duration = .seconds(30)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                process.interrupt()
                throw Failure(message: "caseworker did not exit within \(timeout):\n\(text)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    struct Failure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}

/// What a subprocess has written so far, appended to from the pipe's reader thread.
final class OutputBuffer: Sendable {
    let text = Mutex("")
    /// Set when the pipe reached end of file: everything the process wrote has been read.
    let finished = Mutex(false)
}

/// Runs a short-lived `caseworker` command to completion: (exit status, combined output).
func runCaseworker(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) async throws -> (Int32, String) {
    let process = try DaemonProcess(arguments, in: directory, environment: environment)
    let status = try await process.waitForExit()
    try await process.waitForEndOfOutput()
    return (status, process.text)
}

/// A fresh temporary directory with a config file whose database lives inside it. `http.request`
/// steps may reach loopback (the tests' stub providers); `engine` adds lines to that section.
func instanceDirectory(engine: String = "", extraConfig: String = "") throws -> (directory: URL, config: String) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("caseworker-e2e-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let config = directory.appendingPathComponent("caseworker.yaml")
    try """
    server:
      listen: "127.0.0.1:0"
    database:
      path: \(directory.appendingPathComponent("caseworker.sqlite").path)
    log:
      level: info
    engine:
      httpAllowedNetworks: [127.0.0.0/8]
    \(engine)
    \(extraConfig)
    """.write(to: config, atomically: true, encoding: .utf8)
    return (directory, config.path)
}
