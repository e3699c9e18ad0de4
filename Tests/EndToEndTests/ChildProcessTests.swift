import CaseworkerTestSupport
import Foundation
import Testing

/// The `ChildProcess` every end-to-end test starts the daemon with: what the child gets (exactly
/// the environment given, the working directory, a process group of its own, no descriptor of
/// the test process but 0, 1 and 2) and how it ends (exit code, signal, timeout, kill on release).
@Suite struct ChildProcessTests {
    @Test func theChildGetsTheEnvironmentAndDirectoryAndStderrJoinsStdoutInOrder() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (termination, output, errors) = try await ChildProcess.run(
            "/bin/sh", arguments: ["-c", "echo one; echo two >&2; echo three; env | sort; pwd; exit 3"],
            environment: ["ONLY": "this", "PATH": "/usr/bin:/bin"], workingDirectory: directory.path, timeout: .seconds(10))
        #expect(termination == .exited(3))
        #expect(termination.status == 3)
        let lines = output.split(separator: "\n").map(String.init)
        #expect(Array(lines.prefix(3)) == ["one", "two", "three"])
        // `sh` itself adds PWD (and, for some shells, SHLVL and `_`).
        let names = Set(lines.dropFirst(3).dropLast().compactMap { $0.split(separator: "=").first.map(String.init) })
        #expect(names.isSuperset(of: ["ONLY", "PATH"]))
        #expect(names.isSubset(of: ["ONLY", "PATH", "PWD", "SHLVL", "_", "OLDPWD"]), "\(names)")
        #expect(lines.contains("ONLY=this"))
        #expect(lines.last.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }
            == directory.resolvingSymlinksInPath().path)
        #expect(errors.isEmpty)
    }

    @Test func separateStderrIsKeptApart() async throws {
        let (termination, output, errors) = try await ChildProcess.run(
            "/bin/sh", arguments: ["-c", "echo out; echo err >&2"], standardError: .separate, timeout: .seconds(10))
        #expect(termination == .exited(0))
        #expect(output == "out\n")
        #expect(errors == "err\n")
    }

    @Test func theChildInheritsNoOtherDescriptorAndLeadsItsOwnGroup() async throws {
        // A descriptor the child would inherit from a plain fork and exec: no close-on-exec.
        let leaked = open("/dev/null", O_RDONLY)
        try #require(leaked > 2)
        defer { close(leaked) }
        let (termination, output, _) = try await ChildProcess.run(
            "/bin/sh", arguments: ["-c", "cut -d' ' -f5 /proc/$$/stat; ls /proc/$$/fd"], timeout: .seconds(10))
        #expect(termination == .exited(0))
        let lines = output.split(separator: "\n").map(String.init)
        let group = try #require(lines.first.flatMap { Int32($0) })
        #expect(group != getpgrp(), "the child must not share the test process's group")
        #expect(Set(lines.dropFirst()) == ["0", "1", "2"], "\(output)")
    }

    @Test func aSignalDeathReportsTheSignalAsFoundationDid() async throws {
        let child = try await ChildProcess("/bin/sleep", arguments: ["30"])
        #expect(child.isRunning)
        child.signal(SIGKILL)
        let termination = try await child.waitForExit(timeout: .seconds(10))
        #expect(termination == .signaled(SIGKILL))
        #expect(termination.status == SIGKILL)
        #expect(!child.isRunning)
        #expect(child.outputEnded)
    }

    @Test func aWaitPastItsTimeoutThrowsAndReleasingTheChildKillsIt() async throws {
        var child: ChildProcess? = try await ChildProcess("/bin/sleep", arguments: ["30"])
        let pid = try #require(child?.pid)
        await #expect(throws: TimedOut.self) { _ = try await child?.waitForExit(timeout: .milliseconds(100)) }
        #expect(child?.isRunning == true)
        child = nil
        try await waitFor("the released child to be killed and reaped", timeout: .seconds(10)) {
            !FileManager.default.fileExists(atPath: "/proc/\(pid)")
        }
    }

    @Test func aMissingProgramFailsToStart() async throws {
        await #expect(throws: (any Error).self) { _ = try await ChildProcess("/nonexistent/program") }
    }
}
