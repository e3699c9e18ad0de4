@testable import CaseworkerImport
import CaseworkerCore
import Testing

/// `FORK_JOIN` + `JOIN` become a `parallel` step and `SIMPLE` a `task` step (issue #19).
@Suite struct ConductorParallelAndWorkerTests {
    static let body = ImportTestSupport.json(
        #"""
        {"name": "kyc", "timeoutPolicy": "ALERT_ONLY", "tasks": [
          {"name": "checks", "taskReferenceName": "fork_ref", "type": "FORK_JOIN",
           "forkTasks": [
             [{"taskReferenceName": "id_check", "type": "HTTP", "inputParameters": {"uri": "https://id.example/${workflow.input.id}"}}],
             [{"taskReferenceName": "pep_prepare", "type": "SET_VARIABLE", "inputParameters": {"pep": true}},
              {"name": "pep_screening", "taskReferenceName": "pep_check", "type": "SIMPLE",
               "inputParameters": {"customer": "${workflow.input.id}"},
               "taskDefinition": {"timeoutSeconds": 600, "responseTimeoutSeconds": 60}}]]},
          {"name": "join", "taskReferenceName": "join_ref", "type": "JOIN", "joinOn": ["id_check", "pep_check"]},
          {"taskReferenceName": "decide", "type": "TERMINATE",
           "inputParameters": {"terminationStatus": "COMPLETED",
                               "workflowOutput": {"id": "${id_check.output.response.body}", "pep": "${join_ref.output.pep_check.hit}"}}}]}
        """#)

    @Test func aForkAndItsJoinBecomeOneParallelStepAndASimpleTaskAWorkerTask() throws {
        let result = DefinitionImporter.translate(Self.body, format: .conductor)
        let report = result.report
        #expect(report.refusals == [])
        let steps = result.definition["steps"]?.arrayValue ?? []
        #expect(steps.map { $0["id"] } == ["fork_ref", "decide"])
        let fork = try #require(steps.first)
        #expect(fork["action"] == "parallel")
        #expect(fork["config"]?["join"] == "all")
        let branches = fork["config"]?["branches"]?.arrayValue ?? []
        #expect(branches.map { $0["id"] } == ["id_check", "pep_check"])
        #expect(branches[0]["steps"]?.arrayValue?.map { $0["id"] } == ["id_check"])
        let worker = try #require(branches[1]["steps"]?.arrayValue?.last)
        #expect(worker["action"] == "task")
        #expect(worker["config"] == ["queue": "pep_screening", "input": ["customer": "${input.id}"], "timeoutSeconds": 600, "heartbeatSeconds": 60])
        // After the join, the forked tasks read as before; the JOIN's output is each joined task's.
        #expect(steps[1]["config"]?["result"] == ["id": "${steps.id_check.output.body}", "pep": "${steps.pep_check.output.hit}"])
        #expect(report.summary(at: "/tasks/1/joinOn") == "mapped /steps/0/config/join")
        #expect(report.summary(at: "/tasks/0/forkTasks/1/1/taskDefinition/timeoutSeconds") == "mapped /steps/0/config/branches/1/steps/1/config/timeoutSeconds")
        #expect(ImportTestSupport.unaccounted(Self.body, report) == [])
        // The translation is a definition the daemon accepts.
        let prepared = try DefinitionImport.prepare(Self.body, format: .conductor, id: nil)
        #expect(prepared.definition.step("fork_ref")?.parallel?.branches.count == 2)
    }

    @Test func aJoinOnFewerThanEveryBranchIsRefused() {
        let text = JSONText.encode(Self.body).replacingOccurrences(of: #""joinOn":["id_check","pep_check"]"#, with: #""joinOn":["id_check"]"#)
        let body = ImportTestSupport.json(text)
        let report = DefinitionImporter.translate(body, format: .conductor).report
        #expect(report.refusals.map(\.pointer) == ["/tasks/1/joinOn"])
        #expect(report.entry(at: "/tasks/1/joinOn")?.reason
            == "a parallel step joins every branch at its last task: joinOn must name id_check, pep_check (it names id_check)")
    }

    @Test func aSimpleTaskWithoutTimeoutGetsTheLongestAndAnInvalidQueueNameIsRefused() {
        let body = ImportTestSupport.json(
            #"{"name": "w", "tasks": [{"name": "score", "taskReferenceName": "s", "type": "SIMPLE"}, {"name": "bad name!", "taskReferenceName": "b", "type": "SIMPLE"}]}"#)
        let result = DefinitionImporter.translate(body, format: .conductor)
        let steps = result.definition["steps"]?.arrayValue ?? []
        #expect(steps.first?["config"] == ["queue": "score", "timeoutSeconds": 31_622_400])
        #expect(result.report.summary(at: "/tasks/0/taskDefinition/timeoutSeconds") == "defaulted /steps/0/config/timeoutSeconds")
        #expect(result.report.refusals.map(\.pointer) == ["/tasks/1/name"])
    }
}
