import CaseworkerCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `exec` — config `{program, args?, input?, timeoutSeconds}`: runs a local program that an
/// operator listed in `engine.exec.programs`, for sites that keep checks as scripts.
///
/// `program` names an entry of `ExecConfiguration.programs` (a literal, checked at save); the
/// entry's absolute path is started directly — no shell, no `PATH` lookup — as the daemon's user,
/// in `/`, with the entry's `environment` as its whole environment, `args` (strings; other
/// values as compact JSON) as its arguments, and `input` (default `{}`) as compact JSON and a
/// newline on stdin, which is then closed. Stdout (at most `engine.exec.maxOutputBytes`) must be
/// one JSON value: it becomes the step's output.
///
/// Outcomes:
/// - exit 0 with JSON on stdout: `OK`, the output that JSON;
/// - exit 0 with anything else (empty too): `KO` `invalid_output`;
/// - exit `n` ≠ 0: `KO` `exit_<n>`, the output stdout's JSON if it is JSON, else `null`;
///   retryable only for 75 (`EX_TEMPFAIL` of sysexits.h: "try again later");
/// - death by signal `n`: `KO` `signal_<n>` (`signal_9` for SIGKILL), final;
/// - stdout past the bound: the process group is killed, `KO` `output_too_large`, final;
/// - `timeoutSeconds` (required, 0.001–3600) passed: the process group is killed, `TIMEOUT`,
///   retryable under the step's retry policy as an HTTP timeout is;
/// - a program no longer listed (removed from the configuration after the version was saved):
///   `KO` `program_not_allowed`; one that cannot be started (missing, not executable):
///   `KO` `exec_failed`; both final.
///
/// The error text of a failed attempt ends with the last 4 KiB of the program's stderr. It is
/// stored with the task (visible to API readers of the run, as every step's error is) and never
/// logged: a check's stderr may hold personal data.
///
/// The step's own `timeoutSeconds` and the end of the shutdown grace cancel the attempt, and a
/// cancelled attempt kills the process group before it returns (`ExecProcess`): no program
/// outlives its step.
///
/// Creating an `ExecAction` makes the process ignore `SIGPIPE` (as most daemons do): writing the
/// input to a program that exited without reading it must fail the write, not kill the daemon.
/// Programs start with every signal at its default disposition.
public struct ExecAction: Action {
    /// How much of the end of a program's stderr a failed attempt's error keeps.
    public static let errorExcerptBytes = 4096
    /// The exit code that asks for a retry: `EX_TEMPFAIL`.
    public static let temporaryFailureExitCode: Int32 = 75

    /// A program runs outside the daemon and may change anything it can reach.
    public var hasSideEffects: Bool { true }

    let configuration: ExecConfiguration
    let clock: any Clock<Duration>

    /// `clock` times `timeoutSeconds`.
    public init(configuration: ExecConfiguration = .init(), clock: any Clock<Duration> = ContinuousClock()) {
        self.configuration = configuration
        self.clock = clock
        _ = signal(SIGPIPE, SIG_IGN)
    }

    public func execute(_ input: ActionInput) async throws -> ActionResult {
        let config = input.config
        guard let name = config["program"]?.stringValue else { return .ko("invalid_config", "program must name a program of engine.exec.programs") }
        guard let program = configuration.programs[name] else {
            return .ko("program_not_allowed", "the program \(name) is not listed in engine.exec.programs (removed since this version was saved?)")
        }
        guard let timeoutSeconds = config["timeoutSeconds"]?.doubleValue else {
            return .ko("invalid_config", "timeoutSeconds is required")
        }
        var arguments: [String] = []
        for value in config["args"]?.arrayValue ?? [] {
            let argument = value.stringValue ?? JSONText.encode(value)
            guard argument.codePointCount <= ExecArguments.maxLength else {
                return .ko("invalid_config", "an argument is longer than \(ExecArguments.maxLength) characters once resolved")
            }
            arguments.append(argument)
        }
        let stdin = config["input"].flatMap { $0.isNull ? nil : $0 } ?? .object([:])
        let invocation = ExecInvocation(
            path: program.path, arguments: arguments, environment: program.environment,
            standardInput: Array((JSONText.encode(stdin) + "\n").utf8), maxOutputBytes: configuration.maxOutputBytes,
            errorExcerptBytes: Self.errorExcerptBytes, timeout: .milliseconds(Int64((timeoutSeconds * 1000).rounded(.up))))
        let termination: ExecTermination
        do {
            termination = try await ExecProcess.run(invocation, clock: clock)
        } catch let failure as ExecLaunchFailure {
            return .ko("exec_failed", "the program \(name) (\(program.path)) could not be started: \(failure)")
        }
        return Self.result(termination, name: name, timeoutSeconds: timeoutSeconds, maxOutputBytes: configuration.maxOutputBytes)
    }

    /// The step's result for how the program ended.
    static func result(_ termination: ExecTermination, name: String, timeoutSeconds: Double, maxOutputBytes: Int) -> ActionResult {
        let json = try? JSONText.decode(termination.output)
        let stderr = errorSuffix(termination)
        switch termination.ending {
        case .exited(0):
            guard let json else {
                let reason = termination.output.isEmpty ? "wrote nothing to stdout" : "wrote something other than one JSON value to stdout"
                return .ko("invalid_output", "the program \(name) exited 0 but \(reason)\(stderr)")
            }
            return .ok(json)
        case .exited(let code):
            return .ko(
                "exit_\(code)", "the program \(name) exited with code \(code)\(stderr)", output: json ?? .null,
                retryable: code == temporaryFailureExitCode)
        case .signaled(let number):
            return .ko("signal_\(number)", "the program \(name) was killed by signal \(number)\(stderr)")
        case .outputTooLarge:
            return .ko(
                "output_too_large",
                "the program \(name) wrote more than \(maxOutputBytes) bytes to stdout (engine.exec.maxOutputBytes); its process group was killed\(stderr)")
        case .timedOut:
            return .outcome(
                StepOutcome(.timeout), output: .null,
                error: "the program \(name) did not finish within \(timeoutSeconds) s; its process group was killed\(stderr)", retryable: true,
                stateChanges: [:])
        }
    }

    private static func errorSuffix(_ termination: ExecTermination) -> String {
        guard !termination.errorExcerpt.isEmpty else { return "" }
        let text = String(decoding: termination.errorExcerpt, as: UTF8.self)
        return termination.errorTruncated ? "; stderr (its last \(errorExcerptBytes) bytes): …\(text)" : "; stderr: \(text)"
    }
}
