import CaseworkerCore
import Foundation
import Testing

/// `parallel` at save time (ids, jumps, bounds), the transitions inside a branch, and how a
/// branch group decides (`ParallelJoin.decision`).
@Suite struct ParallelDefinitionTests {
    static let valid = """
        {"name": "p", "steps": [
          {"id": "before", "action": "transform", "config": {"set": {"x": 1}}},
          {"id": "fan", "action": "parallel", "config": {"join": "any", "branches": [
            {"id": "a", "steps": [{"id": "a1", "action": "transform", "config": {"set": {"y": "${steps.before.output}"}},
                                   "next": [{"status": "KO", "stepId": "a3"}]},
                                  {"id": "a2", "action": "transform", "config": {"set": {"y": 2}}},
                                  {"id": "a3", "action": "transform", "config": {"set": {"y": 3}}}]},
            {"id": "b", "steps": [{"id": "b1", "action": "fail", "config": {"reason": "no"}}]}]}},
          {"id": "after", "action": "complete", "config": {"result": "${steps.fan.output.a}"}}],
         "rescue": [{"id": "r", "action": "transform", "config": {"set": {"rescued": true}}}]}
        """

    static func evaluate(_ template: Template) throws(ExpressionError) -> JSONValue { .bool(true) }

    @Test func aParallelStepParsesIntoBranchesWithTheirOwnFlow() throws {
        let parsed = try definition(Self.valid)
        let fan = try #require(parsed.step("fan")?.parallel)
        #expect(fan.join == .any)
        #expect(fan.branches.map(\.id) == ["a", "b"])
        #expect(fan.branches[0].steps.map(\.id) == ["a1", "a2", "a3"])
        #expect(parsed.graph.flow(of: "a2") == .branch(step: "fan", branch: "a"))
        #expect(parsed.graph.flow(of: "fan") == .main)
        // join defaults to all with failFast.
        let defaults = try definition(Self.valid.replacingOccurrences(of: #""join": "any", "#, with: ""))
        #expect(defaults.step("fan")?.parallel?.join == .allFailFast)
        let noFailFast = try definition(Self.valid.replacingOccurrences(of: #""join": "any""#, with: #""failFast": false"#))
        #expect(noFailFast.step("fan")?.parallel?.join == .all)
    }

    @Test func inABranchTheEndCompletesTheBranchAndAFailureSkipsTheRescueSteps() throws {
        let parsed = try definition(Self.valid)
        func next(_ id: String, _ outcome: StepOutcome) -> Transition {
            parsed.transition(after: FlowPosition(stepId: id, mode: .main), outcome: outcome, evaluate: Self.evaluate).transition
        }
        #expect(next("a1", .ok) == .step(FlowPosition(stepId: "a2", mode: .main)))
        #expect(next("a1", StepOutcome(.ko)) == .step(FlowPosition(stepId: "a3", mode: .main)))
        #expect(next("a3", .ok) == .complete)
        #expect(next("a2", StepOutcome(.ko)) == .end(.failed))
        #expect(next("a2", StepOutcome(.timeout)) == .end(.timedOut))
        // Outside the branches, as before: the parallel step's failure goes to the rescue steps.
        #expect(next("fan", StepOutcome(.ko, code: "branch_failed")) == .step(FlowPosition(stepId: "r", mode: .rescue(.failed))))
        #expect(next("fan", .ok) == .step(FlowPosition(stepId: "after", mode: .main)))
    }

    @Test func saveTimeChecksOfBranches() throws {
        let errors = try problems(
            """
            {"name": "p", "steps": [
              {"id": "fan", "action": "parallel", "config": {"join": "some", "branches": [
                {"id": "a", "steps": [{"id": "a1", "action": "transform", "config": {"set": {"x": 1}}, "next": [{"stepId": "b1"}]}]},
                {"id": "a", "steps": [{"id": "b1", "action": "transform", "config": {"set": {"x": 1}}, "next": [{"stepId": "out"}]}]},
                {"id": "c", "steps": [{"id": "out", "action": "transform", "config": {"set": {"x": 1}}}]},
                {"id": "d", "steps": []}, {"id": "e"}]}},
              {"id": "out2", "action": "transform", "config": {"set": {"x": 1}}, "next": [{"stepId": "a1"}]},
              {"id": "empty", "action": "parallel", "config": {"branches": []}},
              {"id": "none", "action": "parallel"}]}
            """)
        let byPointer = Dictionary(errors.map { ($0.property, $0.message) }, uniquingKeysWith: { a, _ in a })
        #expect(byPointer["/steps/0/config/join"] == "must be all or any, got some")
        #expect(byPointer["/steps/0/config/branches/1/id"] == "duplicates the id of the branch at /steps/0/config/branches/0")
        #expect(byPointer["/steps/0/config/branches/2/steps/0/id"] == nil)
        #expect(byPointer["/steps/0/config/branches/3/steps"] == "must have at least one step")
        #expect(byPointer["/steps/0/config/branches/4/steps"] == "is required")
        #expect(byPointer["/steps/1/next/0/stepId"] == "must name a step of the main flow; 'a1' is in branch a of parallel step fan")
        #expect(byPointer["/steps/2/config/branches"] == "must have at least one branch")
        #expect(byPointer["/steps/3/config"] == "is required")
    }

    @Test func aJumpMayNotLeaveItsBranch() throws {
        let errors = try problems(
            """
            {"name": "p", "steps": [
              {"id": "fan", "action": "parallel", "config": {"branches": [
                {"id": "a", "steps": [{"id": "a1", "action": "transform", "config": {"set": {"x": 1}}, "next": [{"stepId": "b1"}]}]},
                {"id": "b", "steps": [{"id": "b1", "action": "transform", "config": {"set": {"x": 1}}, "next": [{"stepId": "after"}]}]}]}},
              {"id": "after", "action": "transform", "config": {"set": {"x": 1}}}]}
            """)
        let byPointer = Dictionary(errors.map { ($0.property, $0.message) }, uniquingKeysWith: { a, _ in a })
        #expect(
            byPointer["/steps/0/config/branches/0/steps/0/next/0/stepId"]
                == "must name a step of branch a of parallel step fan; 'b1' is in branch b of parallel step fan")
        #expect(
            byPointer["/steps/0/config/branches/1/steps/0/next/0/stepId"]
                == "must name a step of branch b of parallel step fan; 'after' is in the main flow")
    }

    @Test func stepIdsAreUniqueAcrossBranchesAndTheBranchCountIsBounded() throws {
        let duplicate = try problems(
            """
            {"name": "p", "steps": [
              {"id": "a1", "action": "transform", "config": {"set": {"x": 1}}},
              {"id": "fan", "action": "parallel", "config": {"branches": [
                {"id": "a", "steps": [{"id": "a1", "action": "transform", "config": {"set": {"x": 1}}}]}]}}]}
            """)
        #expect(duplicate.contains(FieldError(property: "/steps/1/config/branches/0/steps/0/id", message: "duplicates the id of the step at /steps/0")))

        let branches = (0..<3).map { #"{"id": "b\#($0)", "steps": [{"id": "s\#($0)", "action": "transform", "config": {"set": {"x": 1}}}]}"# }
        let body = try JSONText.decode(
            #"{"name": "p", "steps": [{"id": "fan", "action": "parallel", "config": {"branches": [\#(branches.joined(separator: ","))]}}]}"#)
        #expect(throws: Never.self) { try WorkflowDefinition(parsing: body, rules: DefinitionRules(maxBranches: 3)) }
        do {
            _ = try WorkflowDefinition(parsing: body, rules: DefinitionRules(maxBranches: 2))
            Issue.record("3 branches over a bound of 2 were accepted")
        } catch {
            #expect(error.errors == [FieldError(property: "/steps/0/config/branches", message: "has 3 branches; at most 2 are allowed (engine.maxBranches)")])
        }
        // A stored version loads whatever the configured bound is now.
        #expect(throws: Never.self) { try WorkflowDefinition(loading: body) }
    }

    static func branch(_ index: Int, _ status: RunStatus, finishedAt seconds: Double? = nil) -> Run {
        Run(
            id: "r\(index)", tenantId: "t", caseId: "c", workflowDefinitionId: "d", version: 1, versionId: "v", parametersId: nil,
            status: status, currentStepId: status.isTerminal ? nil : "s", flowMode: .main, attempt: 1, stepsExecuted: 0, input: [:],
            params: [:], state: [:], stepResults: [:], correlationId: nil, channel: nil, result: nil, error: nil, dueAt: nil,
            createdAt: Date(timeIntervalSince1970: 0), startedAt: nil,
            finishedAt: seconds.map { Date(timeIntervalSince1970: $0) } ?? (status.isTerminal ? Date(timeIntervalSince1970: 100) : nil))
    }

    @Test func howAGroupDecides() {
        let running = Self.branch(0, .running)
        let completed = Self.branch(1, .completed, finishedAt: 5)
        let failed = Self.branch(2, .failed, finishedAt: 3)
        let earlierCompleted = Self.branch(3, .completed, finishedAt: 1)
        let cancelled = Self.branch(4, .cancelled, finishedAt: 2)

        #expect(ParallelJoin.allFailFast.decision([running, completed]) == nil)
        #expect(ParallelJoin.allFailFast.decision([running, failed]) == .failed(failed))
        #expect(ParallelJoin.allFailFast.decision([completed, earlierCompleted]) == .completed([completed, earlierCompleted]))
        #expect(ParallelJoin.allFailFast.decision([running, failed, cancelled]) == .failed(cancelled), "the first to fail decides")

        #expect(ParallelJoin.all.decision([running, failed]) == nil)
        #expect(ParallelJoin.all.decision([completed, failed]) == .failed(failed))
        #expect(ParallelJoin.all.decision([completed, earlierCompleted]) == .completed([completed, earlierCompleted]))

        #expect(ParallelJoin.any.decision([running, failed]) == nil)
        #expect(ParallelJoin.any.decision([running, completed]) == .completed([completed]))
        #expect(ParallelJoin.any.decision([completed, earlierCompleted, running]) == .completed([earlierCompleted]))
        #expect(ParallelJoin.any.decision([failed, cancelled]) == .failed(cancelled))
    }

    @Test func aTaskStepsQueueIsALiteral() throws {
        let errors = try problems(
            #"{"name": "p", "steps": [{"id": "t", "action": "task", "config": {"queue": "${case.email}", "timeoutSeconds": 60}}]}"#)
        #expect(errors == [FieldError(property: "/steps/0/config/queue", message: "must be a queue name, 1–48 letters, digits, '.', '_' or '-' (not a template)")])
    }
}
