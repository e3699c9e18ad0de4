import CaseworkerCore
import CaseworkerTestSupport
import Foundation
import Testing

/// `exec` through the real daemon and its HTTP API: a listed program runs and its output is the
/// run's result; an unlisted or templated program is refused at save (PUT and import) with the
/// pointer; `check-config` reports the programs that cannot run.
@Suite struct ExecStepEndToEndTests {
    static let check = """
        #!/bin/sh
        input=$(cat)
        printf '{"checked": %s, "mode": "%s"}\\n' "$input" "$CHECK_MODE"
        """

    static func definition(program: String) -> JSONValue {
        [
            "name": "screening", "isDraft": false,
            "steps": [
                ["id": "screen", "action": "exec", "config": ["program": .string(program), "input": ["name": "${case.firstName}"], "timeoutSeconds": 30]],
                ["id": "done", "action": "complete", "config": ["result": "${steps.screen.output}"]],
            ],
        ]
    }

    static func errors(_ body: JSONValue) -> [String: String] {
        Dictionary(
            (body["errors"]?.arrayValue ?? []).compactMap { error in error["property"]?.stringValue.map { ($0, error["message"]?.stringValue ?? "") } },
            uniquingKeysWith: { first, _ in first })
    }

    @Test func aListedProgramRunsAndAnUnlistedOneIsRefusedAtSave() async throws {
        let scripts = try ExecutableScripts()
        defer { scripts.remove() }
        let program = try scripts.write("check", Self.check)
        let (directory, config) = try instanceDirectory(
            engine: """
                  exec:
                    programs:
                      sanctions-check:
                        path: \(program)
                        environment: {CHECK_MODE: strict}
                """)
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = try await createKey(config: config, in: directory)
        let daemon = try await DaemonProcess(["serve", "--config", config], in: directory)
        let port = try await daemon.waitForPort()

        let (unlisted, refusal) = try await request(
            port: port, .put, "/v1/workflow-definitions/screening", key: key, json: Self.definition(program: "world-check"))
        #expect(unlisted == .unprocessableContent)
        let message = try #require(Self.errors(refusal)["/steps/0/config/program"], "\(refusal)")
        #expect(message.contains("known: sanctions-check"))
        let (templated, templatedRefusal) = try await request(
            port: port, .put, "/v1/workflow-definitions/screening", key: key, json: Self.definition(program: "${input.program}"))
        #expect(templated == .unprocessableContent)
        #expect(Self.errors(templatedRefusal)["/steps/0/config/program"]?.contains("literal") == true)

        // The import route validates as every save does (Invopop passes native actions through).
        let foreign: JSONValue = [
            "name": "imported",
            "steps": [["id": "screen", "action": "exec", "config": ["program": "world-check", "timeoutSeconds": 5]]],
        ]
        let (imported, importRefusal) = try await request(
            port: port, .post, "/v1/workflow-definitions/import?format=invopop&id=imported", key: key, json: foreign)
        #expect(imported == .unprocessableContent)
        #expect(Self.errors(importRefusal)["/steps/0/config/program"] != nil, "\(importRefusal)")

        let (saved, _) = try await request(
            port: port, .put, "/v1/workflow-definitions/screening", key: key, json: Self.definition(program: "sanctions-check"))
        #expect(saved == .created)
        let (_, created) = try await request(port: port, .post, "/v1/cases", key: key, json: ["firstName": "Ada"])
        let caseId = try #require(created["id"]?.stringValue)
        let (started, run) = try await request(
            port: port, .post, "/v1/workflows/run", key: key, json: ["caseId": .string(caseId), "workflowDefinitionId": "screening"])
        #expect(started == .created)
        let runId = try #require(run["id"]?.stringValue)
        _ = try await RunRecoveryTests.waitForStatus(port: port, key: key, run: runId, "COMPLETED")
        let (_, result) = try await request(port: port, .get, "/v1/workflows/\(runId)/result", key: key)
        #expect(result["result"] == ["checked": ["name": "Ada"], "mode": "strict"], "\(result)")

        daemon.signal(SIGTERM)
        #expect(try await daemon.waitForExit() == 0)
    }

    @Test func checkConfigReportsProgramsThatCannotRun() async throws {
        let scripts = try ExecutableScripts()
        defer { scripts.remove() }
        let plain = try scripts.write("plain", "#!/bin/sh\n", executable: false)
        let (directory, config) = try instanceDirectory(
            engine: """
                  exec:
                    programs:
                      relative: {path: checks/run.sh}
                      missing: {path: \(scripts.path("nowhere"))}
                      plain: {path: \(plain)}
                      "no spaces": {path: /bin/true}
                """)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (status, output) = try await runCaseworker(["check-config", "--config", config], in: directory)
        #expect(status == 78)
        for key in [
            "engine.exec.programs.relative.path", "engine.exec.programs.missing.path", "engine.exec.programs.plain.path",
            "engine.exec.programs.no spaces",
        ] {
            #expect(output.contains(key), "\(output)")
        }

        let good = try scripts.write("good", "#!/bin/sh\necho '{}'\n")
        let (fixedDirectory, fixed) = try instanceDirectory(engine: "  exec:\n    programs:\n      good: {path: \(good)}\n")
        defer { try? FileManager.default.removeItem(at: fixedDirectory) }
        let (valid, validOutput) = try await runCaseworker(["check-config", "--config", fixed], in: fixedDirectory)
        #expect(valid == 0, "\(validOutput)")
        #expect(validOutput.contains("engine.exec.programs: [good: \(good)]"))
    }
}
