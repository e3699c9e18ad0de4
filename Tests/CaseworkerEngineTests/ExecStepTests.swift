import CaseworkerCore
import CaseworkerEngine
import CaseworkerStore
import CaseworkerTestSupport
import Foundation
import Testing

/// `exec` steps run real scripts written to a temporary directory: the input on stdin, the JSON on
/// stdout as the output, exit codes and signals as KO codes, and the process group killed on a
/// timeout, a step timeout and at shutdown, with nothing of it left afterwards.
@Suite struct ExecStepTests {
    /// Runs `body` with `scripts` listed as programs (name → script text) in the engine.
    func withPrograms(
        _ scripts: [String: String], environment: [String: [String: String]] = [:], maxOutputBytes: Int = ExecConfiguration.defaultMaxOutputBytes,
        configuration: EngineConfiguration = .init(),
        _ body: @Sendable (EngineHarness, ExecutableScripts) async throws -> Void,
        afterShutdown: @Sendable @escaping (EngineHarness, ExecutableScripts) async throws -> Void = { _, _ in }
    ) async throws {
        let directory = try ExecutableScripts()
        defer { directory.remove() }
        var programs: [String: ExecProgram] = [:]
        for (name, text) in scripts {
            programs[name] = ExecProgram(path: try directory.write(name, text), environment: environment[name] ?? ["PATH": "/usr/bin:/bin"])
        }
        try await EngineHarness.with(
            configuration: configuration, exec: ExecConfiguration(programs: programs, maxOutputBytes: maxOutputBytes),
            { h in try await body(h, directory) }, afterShutdown: { h in try await afterShutdown(h, directory) })
    }

    /// Waits until no living process is left in the group whose id the script wrote to `path`.
    func expectGroupGone(writtenTo path: String) async throws {
        let group = try #require(ProcessGroupProbe.groupId(writtenTo: path), "the script wrote its process group id")
        try await waitFor("no process of group \(group) left", timeout: .seconds(10)) { ProcessGroupProbe.livingMembers(of: group).isEmpty }
    }

    static let echo = """
        #!/bin/sh
        input=$(cat)
        printf '{"received": %s, "args": ["%s", "%s"], "argc": %d}\\n' "$input" "$1" "$2" "$#"
        """

    @Test func theInputGoesInOnStdinAndTheJSONOnStdoutIsTheOutputOfTheStep() async throws {
        try await withPrograms(["echo": Self.echo]) { h, _ in
            try await h.publish(
                "d",
                """
                {"name": "d", "steps": [
                  {"id": "check", "action": "exec",
                   "config": {"program": "echo", "args": ["${input.who}", "two words"], "input": {"who": "${input.who}", "n": 2}, "timeoutSeconds": 30}},
                  {"id": "done", "action": "complete", "config": {"result": {"who": "${steps.check.output.received.who}", "all": "${steps.check.output}"}}}]}
                """)
            let done = try await h.finished(try await h.start("d", input: ["who": "ada"]).id)
            #expect(done.status == .completed, "\(String(describing: done.error))")
            #expect(done.result?["who"] == "ada")
            #expect(done.result?["all"] == ["received": ["who": "ada", "n": 2], "args": ["ada", "two words"], "argc": 2])
            let task = try #require(try await h.tasks(done.id).first)
            #expect(task.action == "exec" && task.outcome == StepOutcome(.ok))
        }
    }

    @Test func anExitCodeIsAKOCodeThatNextRulesRouteOnWithStderrInTheError() async throws {
        let flag = """
            #!/bin/sh
            echo "no match for the name" >&2
            echo '{"hits": 3}'
            exit 3
            """
        try await withPrograms(["flag": flag]) { h, _ in
            try await h.publish(
                "d",
                """
                {"name": "d", "steps": [
                  {"id": "check", "action": "exec", "config": {"program": "flag", "timeoutSeconds": 30},
                   "retry": {"maxAttempts": 3, "initialDelaySeconds": 0},
                   "next": [{"status": "KO", "code": "exit_3", "stepId": "flagged"}]},
                  {"id": "clear", "action": "complete", "config": {"result": "clear"}},
                  {"id": "flagged", "action": "complete", "config": {"result": {"hits": "${steps.check.output.hits}"}}}]}
                """)
            let done = try await h.finished(try await h.start("d").id)
            #expect(done.status == .completed)
            #expect(done.result == ["hits": 3])
            let tasks = try await h.tasks(done.id)
            #expect(tasks.filter { $0.stepId == "check" }.count == 1, "a non-zero exit other than 75 is final")
            let check = try #require(tasks.first)
            #expect(check.outcome == StepOutcome(.ko, code: "exit_3"))
            #expect(check.error?.contains("exited with code 3") == true)
            #expect(check.error?.hasSuffix("stderr: no match for the name\n") == true, "\(check.error ?? "")")
        }
    }

    @Test func theEnvironmentIsClearedButForTheListedVariables() async throws {
        let printEnvironment = """
            #!/usr/bin/python3
            import json, os, sys
            json.dump(dict(os.environ), sys.stdout)
            """
        try await withPrograms(
            ["env": printEnvironment], environment: ["env": ["CHECK_MODE": "strict", "LANG": "C.UTF-8"]]
        ) { h, _ in
            try await h.publish("d", #"{"name": "d", "steps": [{"id": "env", "action": "exec", "config": {"program": "env", "timeoutSeconds": 30}}]}"#)
            let done = try await h.finished(try await h.start("d").id)
            #expect(done.status == .completed, "\(String(describing: done.error))")
            #expect(done.result == ["CHECK_MODE": "strict", "LANG": "C.UTF-8"])
        }
    }

    @Test func stdoutThatIsNotJSONIsInvalidOutput() async throws {
        try await withPrograms(["text": "#!/bin/sh\necho 'all clear'\n", "silent": "#!/bin/sh\nexit 0\n"]) { h, _ in
            for program in ["text", "silent"] {
                try await h.publish(
                    program, #"{"name": "d", "steps": [{"id": "s", "action": "exec", "config": {"program": "\#(program)", "timeoutSeconds": 30}}]}"#)
                let done = try await h.finished(try await h.start(program).id)
                #expect(done.status == .failed)
                #expect(try await h.tasks(done.id).first?.outcome == StepOutcome(.ko, code: "invalid_output"), "\(program)")
            }
        }
    }

    @Test func stdoutPastTheBoundKillsTheProgramAndIsOutputTooLarge() async throws {
        // Writes forever: only the kill ends it.
        let flood = """
            #!/bin/sh
            echo $$ > "$1"
            while :; do echo '"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"'; done
            """
        try await withPrograms(["flood": flood], maxOutputBytes: 4096) { h, scripts in
            try await h.publish(
                "d",
                #"{"name": "d", "steps": [{"id": "s", "action": "exec", "config": {"program": "flood", "args": ["${input.pidFile}"], "timeoutSeconds": 60}}]}"#)
            let pidFile = scripts.path("flood.pid")
            let done = try await h.finished(try await h.start("d", input: ["pidFile": .string(pidFile)]).id)
            #expect(done.status == .failed)
            let task = try #require(try await h.tasks(done.id).first)
            #expect(task.outcome == StepOutcome(.ko, code: "output_too_large"))
            #expect(task.error?.contains("more than 4096 bytes") == true)
            try await expectGroupGone(writtenTo: pidFile)
        }
    }

    /// The script leaves a child (`sleep`) in its group: a kill of the script alone would orphan it.
    static let hang = """
        #!/bin/sh
        echo $$ > "$1"
        sleep 1000 &
        wait
        """

    /// `hang` (with `config` and the step members `step`), then on TIMEOUT the step `late`.
    static func hangThenLate(config: String, step: String) -> String {
        """
        {"name": "d", "steps": [
          {"id": "s", "action": "exec", "config": {"program": "hang", "args": ["${input.pidFile}"], \(config)},
           \(step), "next": [{"status": "TIMEOUT", "stepId": "late"}]},
          {"id": "late", "action": "complete", "config": {"result": "late"}}]}
        """
    }

    @Test func aProgramThatHangsIsKilledWithItsGroupAtTimeoutSecondsAndEndsTimeout() async throws {
        try await withPrograms(["hang": Self.hang]) { h, scripts in
            try await h.publish("d", Self.hangThenLate(config: #""timeoutSeconds": 1"#, step: #""retry": {"maxAttempts": 2, "initialDelaySeconds": 0}"#))
            let pidFile = scripts.path("hang.pid")
            let done = try await h.finished(try await h.start("d", input: ["pidFile": .string(pidFile)]).id)
            #expect(done.result == "late")
            let attempts = try await h.tasks(done.id).filter { $0.stepId == "s" }
            #expect(attempts.map(\.outcome) == [StepOutcome(.timeout), StepOutcome(.timeout)], "a timeout is retried by the step's policy")
            #expect(attempts.first?.error?.contains("process group was killed") == true)
            try await expectGroupGone(writtenTo: pidFile)
        }
    }

    @Test func theStepTimeoutCancelsTheProgramAndKillsItsGroup() async throws {
        try await withPrograms(["hang": Self.hang]) { h, scripts in
            try await h.publish("d", Self.hangThenLate(config: #""timeoutSeconds": 3600"#, step: #""timeoutSeconds": 1, "retry": {"maxAttempts": 1}"#))
            let pidFile = scripts.path("step-timeout.pid")
            let done = try await h.finished(try await h.start("d", input: ["pidFile": .string(pidFile)]).id)
            #expect(done.result == "late")
            #expect(try await h.tasks(done.id).first?.outcome == StepOutcome(.timeout))
            try await expectGroupGone(writtenTo: pidFile)
        }
    }

    @Test func shutdownKillsARunningProgramsGroup() async throws {
        var configuration = EngineConfiguration()
        configuration.shutdownGrace = .milliseconds(100)
        try await withPrograms(["hang": Self.hang], configuration: configuration) { h, scripts in
            try await h.publish(
                "d",
                #"{"name": "d", "steps": [{"id": "s", "action": "exec", "config": {"program": "hang", "args": ["${input.pidFile}"], "timeoutSeconds": 3600}}]}"#)
            let pidFile = scripts.path("shutdown.pid")
            _ = try await h.start("d", input: ["pidFile": .string(pidFile)])
            let group = try await waitForValue("the program to start") { ProcessGroupProbe.groupId(writtenTo: pidFile) }
            try await waitFor("its child to start") { ProcessGroupProbe.livingMembers(of: group).count == 2 }
        } afterShutdown: { _, scripts in
            // The engine has stopped: the step was cancelled and its program's group killed.
            let group = try #require(ProcessGroupProbe.groupId(writtenTo: scripts.path("shutdown.pid")))
            #expect(ProcessGroupProbe.livingMembers(of: group).isEmpty)
        }
    }

    @Test func aSignalDeathIsSignalN() async throws {
        try await withPrograms(["suicide": "#!/bin/sh\nkill -TERM $$\n"]) { h, _ in
            try await h.publish("d", #"{"name": "d", "steps": [{"id": "s", "action": "exec", "config": {"program": "suicide", "timeoutSeconds": 30}}]}"#)
            let done = try await h.finished(try await h.start("d").id)
            #expect(try await h.tasks(done.id).first?.outcome == StepOutcome(.ko, code: "signal_15"))
        }
    }

    @Test func exitSeventyFiveIsRetriedAsATemporaryFailure() async throws {
        let flaky = """
            #!/bin/sh
            if [ -e "$1" ]; then echo '{"ok": true}'; exit 0; fi
            : > "$1"
            exit 75
            """
        try await withPrograms(["flaky": flaky]) { h, scripts in
            try await h.publish(
                "d",
                """
                {"name": "d", "steps": [{"id": "s", "action": "exec", "config": {"program": "flaky", "args": ["${input.marker}"], "timeoutSeconds": 30},
                  "retry": {"maxAttempts": 2, "initialDelaySeconds": 0}}]}
                """)
            let done = try await h.finished(try await h.start("d", input: ["marker": .string(scripts.path("tried"))]).id)
            #expect(done.status == .completed)
            #expect(done.result == ["ok": true])
            #expect(try await h.tasks(done.id).map(\.outcome) == [StepOutcome(.ko, code: "exit_75"), StepOutcome(.ok)])
        }
    }

    @Test func aProgramRemovedFromTheConfigurationSinceTheSaveIsNotAllowedAtRunTime() async throws {
        try await withPrograms(["echo": Self.echo]) { h, _ in
            try await h.publish(
                "d", #"{"name": "d", "steps": [{"id": "s", "action": "exec", "config": {"program": "retired", "timeoutSeconds": 30}}]}"#,
                rules: DefinitionRules(execPrograms: ["echo", "retired"]))
            let done = try await h.finished(try await h.start("d").id)
            #expect(done.status == .failed)
            let task = try #require(try await h.tasks(done.id).first)
            #expect(task.outcome == StepOutcome(.ko, code: "program_not_allowed"))
        }
    }

    @Test func aProgramThatCannotStartIsExecFailed() async throws {
        try await withPrograms(["echo": Self.echo]) { h, scripts in
            // The listed file lost its execute bit after the configuration was checked.
            try scripts.write("echo", Self.echo, executable: false)
            try await h.publish("d", #"{"name": "d", "steps": [{"id": "s", "action": "exec", "config": {"program": "echo", "timeoutSeconds": 30}}]}"#)
            let done = try await h.finished(try await h.start("d").id)
            let task = try #require(try await h.tasks(done.id).first)
            #expect(task.outcome == StepOutcome(.ko, code: "exec_failed"), "\(task.error ?? "")")
        }
    }
}
