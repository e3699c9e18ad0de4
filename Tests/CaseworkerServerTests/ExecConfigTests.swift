import CaseworkerServer
import CaseworkerTestSupport
import Foundation
import Testing

/// `engine.exec.*`: the programs exec steps may run, each checked on disk, and the stdout bound.
@Suite struct ExecConfigTests {
    func file(_ yaml: String, in scripts: ExecutableScripts) throws -> String {
        let path = scripts.path("caseworker.yaml")
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func readsTheProgramsWithTheirEnvironmentAndTheOutputBound() async throws {
        let scripts = try ExecutableScripts()
        defer { scripts.remove() }
        let check = try scripts.write("check", "#!/bin/sh\necho '{}'\n")
        let path = try file(
            """
            engine:
              exec:
                maxOutputBytes: 65536
                programs:
                  sanctions-check:
                    path: \(check)
                    environment: {PATH: /usr/bin:/bin, RETRIES: 3}
                  bare:
                    path: \(check)
            """, in: scripts)
        let config = try await ConfigLoader.load(.file(path: path), environment: [:])
        #expect(config.engineExec.maxOutputBytes == 65536)
        #expect(config.engineExec.programs.keys.sorted() == ["bare", "sanctions-check"])
        #expect(config.engineExec.programs["sanctions-check"]?.path == check)
        #expect(config.engineExec.programs["sanctions-check"]?.environment == ["PATH": "/usr/bin:/bin", "RETRIES": "3"])
        #expect(config.engineExec.programs["bare"]?.environment == [:])
        let fromEnvironment = try await ConfigLoader.load(
            .file(path: path), environment: ["CASEWORKER_ENGINE_EXEC_MAX_OUTPUT_BYTES": "2048"])
        #expect(fromEnvironment.engineExec.maxOutputBytes == 2048)
        #expect(try await ConfigLoader.load(.dev(directory: scripts.directory.path), environment: [:]).engineExec.programs.isEmpty)
    }

    @Test func aRelativeMissingOrNonExecutablePathABadNameAndUnknownMembersAreProblems() async throws {
        let scripts = try ExecutableScripts()
        defer { scripts.remove() }
        let check = try scripts.write("check", "#!/bin/sh\n")
        let notExecutable = try scripts.write("plain", "#!/bin/sh\n", executable: false)
        let path = try file(
            """
            engine:
              exec:
                maxOutputBytes: 0
                colour: blue
                programs:
                  relative: {path: bin/check}
                  missing: {path: \(scripts.path("nowhere"))}
                  plain: {path: \(notExecutable)}
                  directory: {path: \(scripts.directory.path)}
                  "bad name": {path: \(check)}
                  nopath: {environment: {A: b}}
                  extra: {path: \(check), user: root}
                  badvar: {path: \(check), environment: {1X: y}}
            """, in: scripts)
        do {
            _ = try await ConfigLoader.load(.file(path: path), environment: ["CASEWORKER_ENGINE_EXEC_PROGRAMS": "x=/bin/true"])
            Issue.record("the configuration was accepted")
        } catch {
            let problems = Dictionary(error.problems.map { ($0.key, $0.message) }, uniquingKeysWith: { $1 })
            #expect(
                Set(problems.keys) == [
                    "engine.exec.maxOutputBytes", "engine.exec.colour",
                    "engine.exec.programs.relative.path", "engine.exec.programs.missing.path", "engine.exec.programs.plain.path",
                    "engine.exec.programs.directory.path", "engine.exec.programs.bad name", "engine.exec.programs.nopath.path",
                    "engine.exec.programs.extra.user", "engine.exec.programs.badvar.environment.1X", "CASEWORKER_ENGINE_EXEC_PROGRAMS",
                ])
            #expect(problems["engine.exec.programs.relative.path"]?.contains("absolute") == true)
            #expect(problems["engine.exec.programs.missing.path"]?.contains("no such file") == true)
            #expect(problems["engine.exec.programs.plain.path"]?.contains("not executable") == true)
        }
    }
}
