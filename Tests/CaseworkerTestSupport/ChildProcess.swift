import Subprocess
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

import SystemPackage

/// A program the tests start and watch while it runs, through swift-subprocess: its output as it
/// comes, signals, the wait for its exit with a timeout, and a `SIGKILL` when the value goes away.
///
/// The tests use this instead of Foundation's `Process`, whose `run()` on Linux (through Swift
/// 6.3.1) sometimes crashes the test process: `findMaximumOpenFromProcSelfFD()` over-reads a
/// `dirent` (swift-corelibs-foundation PR #5472).
///
/// What the child gets:
/// - its stdin is `/dev/null`; its stdout (and stderr, unless `standardError` is `.separate`) is a
///   pipe read as it comes;
/// - no other descriptor of the test process: swift-subprocess closes them at spawn
///   (`ChildProcessTests` checks);
/// - a process group of its own, as Foundation's `Process` gives on Linux, so a signal meant for
///   the test process's group does not reach it;
/// - exactly `environment` (`nil`: the test process's), and `workingDirectory` (`nil`: the test
///   process's).
///
/// The exit is recorded once the output pipes reached end of file and the process was reaped: a
/// program whose own children keep its stdout open counts as running until they exit too.
///
/// `signal(_:)` and the kill at `deinit` go to the process id, and only while the exit is not
/// recorded; the window between the reap and the record is microseconds, so a reused id is not a
/// practical risk (Foundation's `Process` has the same one).
public final class ChildProcess: Sendable {
    /// How a child ended.
    public enum Termination: Sendable, Hashable, CustomStringConvertible {
        case exited(Int32)
        case signaled(Int32)

        /// The exit code, or the number of the signal that ended it: Foundation's
        /// `terminationStatus`, which the tests compare with `0` and `SIGKILL`.
        public var status: Int32 {
            switch self {
            case .exited(let code), .signaled(let code): code
            }
        }

        public var description: String {
            switch self {
            case .exited(let code): "exit \(code)"
            case .signaled(let signal): "signal \(signal)"
            }
        }
    }

    /// Where the child's stderr goes.
    public enum StandardError: Sendable {
        /// Into the stdout pipe (`2>&1`), in the order written: `output` holds both.
        case combinedWithOutput
        /// A pipe of its own: `errorOutput`.
        case separate
    }

    /// The child's process id.
    public let pid: Int32
    private let state: SharedState

    /// Starts `executable` (a path, not looked up in `PATH`) and returns once it runs; throws when
    /// it cannot be started (a missing file, no execute permission) or `startTimeout` passed.
    public init(
        _ executable: String, arguments: [String] = [], environment: [String: String]? = nil,
        workingDirectory: String? = nil, standardError: StandardError = .combinedWithOutput,
        startTimeout: Duration = .seconds(30)
    ) async throws {
        let state = SharedState(pipes: standardError == .separate ? 2 : 1)
        var options = PlatformOptions()
        options.processGroupID = 0
        let configuration = Subprocess.Configuration(
            executable: .path(FilePath(executable)), arguments: Arguments(arguments),
            environment: environment.map(Self.environment) ?? .inherit,
            workingDirectory: workingDirectory.map { FilePath($0) }, platformOptions: options
        )
        // The task owns the child until it is reaped; it holds the shared state, never `self`, so
        // `deinit` runs when the test lets go of the value.
        Task {
            do {
                let termination: TerminationStatus
                switch standardError {
                case .combinedWithOutput:
                    termination = try await Subprocess.run(configuration, input: .none, output: .sequence, error: .combinedWithOutput) { execution in
                        guard state.started(execution.processIdentifier.value) else { return }
                        await Self.read(execution.standardOutput, into: state, error: false)
                    }.terminationStatus
                case .separate:
                    termination = try await Subprocess.run(configuration, input: .none, output: .sequence, error: .sequence) { execution in
                        guard state.started(execution.processIdentifier.value) else { return }
                        async let output: Void = Self.read(execution.standardOutput, into: state, error: false)
                        await Self.read(execution.standardError, into: state, error: true)
                        await output
                    }.terminationStatus
                }
                switch termination {
                case .exited(let code): state.finished(.success(.exited(code)))
                case .signaled(let signal): state.finished(.success(.signaled(signal)))
                }
            } catch {
                state.finished(.failure(error))
            }
        }
        let deadline = ContinuousClock.now + startTimeout
        while true {
            switch state.startOutcome {
            case .some(.success(let pid)):
                self.pid = pid
                self.state = state
                return
            case .some(.failure(let error)):
                throw error
            case nil:
                guard ContinuousClock.now < deadline else {
                    state.abandon()
                    throw TimedOut(what: "\(executable) to start")
                }
                try await Task.sleep(for: .milliseconds(1))
            }
        }
    }

    /// Runs a program to its end, at most `timeout`, and returns how it ended and what it wrote;
    /// past `timeout` it is killed and `TimedOut` thrown.
    public static func run(
        _ executable: String, arguments: [String] = [], environment: [String: String]? = nil,
        workingDirectory: String? = nil, standardError: StandardError = .combinedWithOutput,
        timeout: Duration = .seconds(60)
    ) async throws -> (termination: Termination, output: String, errorOutput: String) {
        let child = try await ChildProcess(
            executable, arguments: arguments, environment: environment, workingDirectory: workingDirectory,
            standardError: standardError)
        let termination = try await child.waitForExit(timeout: timeout)
        return (termination, child.outputText, child.errorText)
    }

    /// What the child wrote to stdout so far (and stderr, with `.combinedWithOutput`).
    public var output: [UInt8] { state.locked { $0.output } }
    /// `output` as UTF-8 text.
    public var outputText: String { String(decoding: output, as: UTF8.self) }
    /// What the child wrote to stderr so far, with `.separate`.
    public var errorText: String { String(decoding: state.locked { $0.errorOutput }, as: UTF8.self) }

    /// Whether the child's output pipes reached end of file: nothing more will come.
    public var outputEnded: Bool { state.locked { $0.openPipes == 0 } }

    /// How the child ended, once it did and was reaped.
    public var termination: Termination? {
        state.locked { state in
            if case .success(let termination) = state.outcome { termination } else { nil }
        }
    }

    /// Whether the child's exit is not recorded yet.
    public var isRunning: Bool { state.locked { $0.outcome == nil } }

    /// Sends `signal` to the child, unless its exit is recorded.
    public func signal(_ signal: Int32) {
        state.locked { state in
            if state.outcome == nil { _ = kill(pid, signal) }
        }
    }

    /// Waits (at most `timeout`) for the child to exit and be reaped; throws `TimedOut` past it,
    /// leaving the child running.
    public func waitForExit(timeout: Duration = .seconds(30)) async throws -> Termination {
        let deadline = ContinuousClock.now + timeout
        while true {
            switch state.locked({ $0.outcome }) {
            case .some(.success(let termination)): return termination
            case .some(.failure(let error)): throw error
            case nil:
                guard ContinuousClock.now < deadline else { throw TimedOut(what: "the exit of process \(pid)") }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    /// Waits (at most `timeout`) until the output pipes reached end of file; throws `TimedOut`
    /// past it.
    public func waitForEndOfOutput(timeout: Duration = .seconds(10)) async throws {
        try await waitFor("the end of the output of process \(pid)", timeout: timeout) { outputEnded }
    }

    deinit {
        signal(SIGKILL)
    }

    private static func environment(_ variables: [String: String]) -> Subprocess.Environment {
        var keys: [Subprocess.Environment.Key: String] = [:]
        for (name, value) in variables { keys[Subprocess.Environment.Key(stringLiteral: name)] = value }
        return .custom(keys)
    }

    private static func read(_ sequence: SubprocessOutputSequence, into state: SharedState, error: Bool) async {
        do {
            for try await buffer in sequence {
                buffer.withUnsafeBytes { bytes in
                    state.locked { state in
                        if error { state.errorOutput.append(contentsOf: bytes) } else { state.output.append(contentsOf: bytes) }
                    }
                }
            }
        } catch {}  // a read error ends the stream like end of file
        state.locked { $0.openPipes -= 1 }
    }
}

/// What the child's task and the `ChildProcess` share.
private final class SharedState: Sendable {
    struct State {
        var pid: Int32?
        /// The caller gave up waiting for the start: the child is killed as soon as it runs.
        var abandoned = false
        var output: [UInt8] = []
        var errorOutput: [UInt8] = []
        /// The pipes not yet at end of file.
        var openPipes: Int
        var outcome: Result<ChildProcess.Termination, any Error>?
    }

    private let state: Mutex<State>

    init(pipes: Int) {
        state = Mutex(State(openPipes: pipes))
    }

    func locked<T>(_ body: (inout State) -> T) -> T {
        state.withLock { body(&$0) }
    }

    /// Records the running child's id; `false` (and the child killed) when the caller gave up.
    func started(_ pid: Int32) -> Bool {
        locked { state in
            state.pid = pid
            if state.abandoned { _ = kill(pid, SIGKILL) }
            return !state.abandoned
        }
    }

    /// The child's id once it runs, or why it could not be started.
    var startOutcome: Result<Int32, any Error>? {
        locked { state in
            if let pid = state.pid { return .success(pid) }
            if case .failure(let error) = state.outcome { return .failure(error) }
            return nil
        }
    }

    func abandon() {
        locked { state in
            state.abandoned = true
            if let pid = state.pid, state.outcome == nil { _ = kill(pid, SIGKILL) }
        }
    }

    func finished(_ outcome: Result<ChildProcess.Termination, any Error>) {
        locked { $0.outcome = outcome }
    }
}
