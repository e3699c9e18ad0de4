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

/// One start of a program by an `exec` step, everything resolved.
struct ExecInvocation: Sendable {
    var path: String
    var arguments: [String]
    /// The program's whole environment.
    var environment: [String: String]
    var standardInput: [UInt8]
    /// Past this many bytes of stdout the process group is killed (`outputTooLarge`).
    var maxOutputBytes: Int
    /// How much of the end of stderr is kept.
    var errorExcerptBytes: Int
    var timeout: Duration
}

/// How an invocation ended, with what it wrote.
struct ExecTermination: Sendable, Equatable {
    enum Ending: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)
        /// Stdout passed `maxOutputBytes`: the group was killed.
        case outputTooLarge
        /// `timeout` passed: the group was killed.
        case timedOut
    }

    var ending: Ending
    /// Stdout, at most `maxOutputBytes`.
    var output: [UInt8]
    /// The last `errorExcerptBytes` of stderr; `truncated` when more was written.
    var errorExcerpt: [UInt8]
    var errorTruncated: Bool
}

/// The program could not be started (a missing file, no execute permission, a refused `exec`).
struct ExecLaunchFailure: Error, Sendable, CustomStringConvertible {
    var description: String
}

/// Runs a program with swift-subprocess in a process group of its own, and makes sure that no
/// process of that group outlives the run.
///
/// The program is the leader of a new process group (`setpgid(0, 0)` at spawn), so everything it
/// starts belongs to the group unless it leaves it on purpose (`setsid`, `setpgid`; a daemonising
/// program escapes, as from any supervisor but a cgroup: `KillMode=` of the systemd unit). The
/// group gets `SIGKILL`:
/// - when stdout passes `maxOutputBytes` or `timeout` passes (`outputTooLarge`, `timedOut`);
/// - when the calling task is cancelled (the step's `timeoutSeconds`, the end of the shutdown
///   grace): swift-subprocess's teardown sequence targets the group, and `run` returns (throwing
///   `CancellationError`) only after the program has exited;
/// - after the program exited, for whatever of its group is left (a background child).
///
/// The last kill happens after the leader was reaped. Linux does not reuse a process id while it
/// still names a process group with members, so it reaches exactly the leftovers; when none is
/// left it finds no group (`ESRCH`), unless in the microseconds between the reap and the kill the
/// kernel's cyclic pid allocation wrapped round to the same number for a new group leader.
///
/// Stdin gets `standardInput` and is closed; a program that exits without reading it is not an
/// error (the daemon ignores `SIGPIPE`: see `ExecAction`). Stdout and stderr are read as they
/// come, so a chatty stderr never blocks the program.
enum ExecProcess {
    static func run(_ invocation: ExecInvocation, clock: any Clock<Duration>) async throws -> ExecTermination {
        let streams = ExecStreams(maxOutputBytes: invocation.maxOutputBytes, errorExcerptBytes: invocation.errorExcerptBytes)
        enum Race: Sendable {
            case finished(Result<TerminationStatus, any Error>)
            case timedOut
            case interrupted
        }
        let first = await withTaskGroup(of: Race.self) { group in
            group.addTask {
                do { return .finished(.success(try await launch(invocation, streams: streams))) } catch { return .finished(.failure(error)) }
            }
            group.addTask {
                do {
                    try await clock.sleep(for: invocation.timeout)
                    return .timedOut
                } catch {
                    return .interrupted
                }
            }
            let first = await group.next()!
            // Cancelling the program's task tears its group down; the group waits for that.
            group.cancelAll()
            await group.waitForAll()
            return first
        }
        try Task.checkCancellation()
        let ending: ExecTermination.Ending
        switch first {
        case .timedOut, .interrupted:
            ending = .timedOut
        case .finished(.failure(let error)):
            guard streams.processGroup != nil else { throw ExecLaunchFailure(description: Self.launchFailure(error)) }
            throw error
        case .finished(.success(let status)):
            if streams.outputOverflowed {
                ending = .outputTooLarge
            } else {
                switch status {
                case .exited(let code): ending = .exited(code)
                case .signaled(let signal): ending = .signaled(signal)
                }
            }
        }
        let (excerpt, truncated) = streams.errorExcerpt
        return ExecTermination(ending: ending, output: streams.output, errorExcerpt: excerpt, errorTruncated: truncated)
    }

    private static func launch(_ invocation: ExecInvocation, streams: ExecStreams) async throws -> TerminationStatus {
        var options = PlatformOptions()
        options.processGroupID = 0
        // On cancellation: SIGKILL to the group, then (swift-subprocess always ends so) again.
        options.teardownSequence = [.send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: .seconds(1))]
        var environment: [Environment.Key: String] = [:]
        for (name, value) in invocation.environment { environment[Environment.Key(stringLiteral: name)] = value }
        defer {
            // Whatever of the group outlived its leader (see the type's comment on pid reuse).
            if let group = streams.processGroup { _ = kill(-group, SIGKILL) }
        }
        let result = try await Subprocess.run(
            .path(FilePath(invocation.path)), arguments: Arguments(invocation.arguments), environment: .custom(environment),
            workingDirectory: FilePath("/"), platformOptions: options, input: .inputWriter, output: .sequence, error: .sequence
        ) { execution in
            let group = execution.processIdentifier.value
            streams.processGroup = group
            await withTaskGroup(of: Void.self) { tasks in
                tasks.addTask {
                    // A program that exits or closes stdin without reading it: not an error.
                    _ = try? await execution.standardInputWriter.write(invocation.standardInput)
                    try? await execution.standardInputWriter.finish()
                }
                tasks.addTask {
                    do {
                        for try await buffer in execution.standardOutput {
                            guard buffer.withUnsafeBytes({ streams.appendOutput($0) }) else {
                                _ = kill(-group, SIGKILL)
                                break
                            }
                        }
                    } catch {}  // the program ended while its output was read
                }
                tasks.addTask {
                    do {
                        for try await buffer in execution.standardError { buffer.withUnsafeBytes { streams.appendError($0) } }
                    } catch {}
                }
            }
        }
        return result.terminationStatus
    }

    private static func launchFailure(_ error: any Error) -> String {
        if let error = error as? SubprocessError, let underlying = error.underlyingError {
            return "\(underlying)"
        }
        return "\(error)"
    }
}

/// What a running program wrote, shared by the tasks that read its pipes.
private final class ExecStreams: Sendable {
    private struct State {
        var processGroup: pid_t?
        var output: [UInt8] = []
        var overflowed = false
        var errorTail: [UInt8] = []
        var errorTruncated = false
    }

    private let state = Mutex(State())
    let maxOutputBytes: Int
    let errorExcerptBytes: Int

    init(maxOutputBytes: Int, errorExcerptBytes: Int) {
        self.maxOutputBytes = maxOutputBytes
        self.errorExcerptBytes = errorExcerptBytes
    }

    var processGroup: pid_t? {
        get { state.withLock { $0.processGroup } }
        set { state.withLock { $0.processGroup = newValue } }
    }

    var output: [UInt8] { state.withLock { $0.output } }
    var outputOverflowed: Bool { state.withLock { $0.overflowed } }
    var errorExcerpt: ([UInt8], Bool) { state.withLock { ($0.errorTail, $0.errorTruncated) } }

    /// Appends a chunk of stdout; `false` (and nothing kept of the chunk) once past the bound.
    func appendOutput(_ bytes: UnsafeRawBufferPointer) -> Bool {
        state.withLock { state in
            guard state.output.count + bytes.count <= maxOutputBytes else {
                state.overflowed = true
                return false
            }
            state.output.append(contentsOf: bytes)
            return true
        }
    }

    /// Keeps the last `errorExcerptBytes` of stderr.
    func appendError(_ bytes: UnsafeRawBufferPointer) {
        state.withLock { state in
            state.errorTail.append(contentsOf: bytes)
            if state.errorTail.count > errorExcerptBytes {
                state.errorTail.removeFirst(state.errorTail.count - errorExcerptBytes)
                state.errorTruncated = true
            }
        }
    }
}
