import CaseworkerTestSupport
import Foundation
import Testing

/// Runs the real `caseworker` binary (built next to the test bundle, or `$CASEWORKER_BINARY`) as a
/// subprocess (a `ChildProcess`: swift-subprocess, not Foundation's `Process`) and collects its
/// combined stdout and stderr.
///
/// The child runs in the instance directory with the test process's environment, less every
/// `CASEWORKER_*` variable, plus `environment`.
final class DaemonProcess: Sendable {
    let child: ChildProcess

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

    /// Starts `caseworker` with `arguments`; returns once it runs.
    init(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) async throws {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CASEWORKER_") }
        env.merge(environment) { _, new in new }
        child = try await ChildProcess(Self.binary.path, arguments: arguments, environment: env, workingDirectory: directory.path)
    }

    /// The daemon's process id.
    var pid: Int32 { child.pid }

    var text: String { child.outputText }

    /// Waits (at most `timeout`) until the output pipe reached end of file.
    func waitForEndOfOutput(timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !child.outputEnded && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Waits until the output matches `pattern` and returns the first capture group (or the match).
    func waitForOutput(_ pattern: String, timeout: Duration = .seconds(30)) async throws -> String {
        let regex = try Regex(pattern)
        let deadline = ContinuousClock.now + timeout
        while true {
            // Read whether the output ended before the text: the text read after is then final.
            let ended = child.outputEnded
            if let match = try regex.firstMatch(in: text) {
                let capture = match.output.count > 1 ? match.output[1].substring : match.output[0].substring
                return String(capture ?? "")
            }
            if ended {
                let ending = child.termination.map { "\($0)" } ?? "its output closed"
                throw Failure(message: "caseworker ended (\(ending)) without printing /\(pattern)/:\n\(text)")
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
        child.signal(signal)
    }

    /// Waits for the process to exit and returns its exit status, or the number of the signal
    /// that ended it (`SIGKILL`). Past `timeout` it gets `SIGINT` and the wait fails.
    func waitForExit(timeout: Duration = .seconds(30)) async throws -> Int32 {
        do {
            return try await child.waitForExit(timeout: timeout).status
        } catch is TimedOut {
            child.signal(SIGINT)
            throw Failure(message: "caseworker did not exit within \(timeout):\n\(text)")
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}

/// Runs a short-lived `caseworker` command to completion: (exit status, combined output).
func runCaseworker(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) async throws -> (Int32, String) {
    let process = try await DaemonProcess(arguments, in: directory, environment: environment)
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
