import AsyncHTTPClient
import CaseworkerCore
import CaseworkerStore
import Foundation
import Testing

@testable import CaseworkerEngine

/// Steps without side effects run ahead of the commit of the steps before them
/// (`RunExecutor.mayRunAhead`); a step with side effects never starts uncommitted work.
@Suite struct RunAheadTests {
    static let mixed = """
        {"name": "mixed", "steps": [
          {"id": "prepare", "action": "transform", "config": {"set": {"n": 1}}},
          {"id": "verify", "action": "http.request", "config": {"method": "POST", "url": "$BASE/verify"}},
          {"id": "decide", "action": "transform", "config": {"set": {"score": "${steps.verify.output.body.score}"}}},
          {"id": "route", "action": "switch", "config": {"value": "${state.score >= 50}"}},
          {"id": "done", "action": "complete", "config": {"result": {"score": "${state.score}", "n": "${state.n}"}}}]}
        """

    static func definition(_ json: String) throws -> WorkflowDefinition {
        try WorkflowDefinition(parsing: try JSONText.decode(json.replacingOccurrences(of: "$BASE", with: "http://127.0.0.1:1")))
    }

    static func completion(to next: StepCompletion.Next, keepClaim: Bool = true) -> StepCompletion {
        StepCompletion(task: nil, parentStepId: nil, stateChanges: [:], stepResult: nil, next: next, keepClaim: keepClaim)
    }

    /// The registry of this release (its `http.request` is never called here).
    static let actions = ActionRegistry.standard(http: HTTPRequestAction(client: .shared))

    static func mayRunAhead(after completion: StepCompletion, pending: Int, definition: WorkflowDefinition) -> Bool {
        RunExecutor.mayRunAhead(after: completion, pending: pending, definition: definition, actions: actions)
    }

    @Test func onlyStepsWithoutSideEffectsRunAhead() throws {
        let definition = try Self.definition(Self.mixed)
        func ahead(_ next: String, pending: Int = 1) -> Bool {
            Self.mayRunAhead(after: Self.completion(to: .step(next, mode: .main)), pending: pending, definition: definition)
        }
        #expect(ahead("decide") && ahead("route") && ahead("done"), "transform, switch and complete are pure")
        #expect(!ahead("verify"), "an http.request starts only after everything before it committed")
        #expect(!ahead("no-such-step"))
        #expect(!ahead("done", pending: RunExecutor.maxStepsPerCommit), "a long run of pure steps still commits")
        #expect(!Self.mayRunAhead(after: Self.completion(to: .step("done", mode: .main), keepClaim: false), pending: 1, definition: definition))
        #expect(!Self.mayRunAhead(after: Self.completion(to: .retry(at: Date())), pending: 1, definition: definition))
        #expect(!Self.mayRunAhead(after: Self.completion(to: .complete(result: .null)), pending: 1, definition: definition))

        let waiting = try Self.definition(
            #"{"name": "w", "steps": [{"id": "a", "action": "transform", "config": {"set": {"n": 1}}}, {"id": "pause", "action": "wait", "config": {"seconds": 1}}, {"id": "signal", "action": "await", "config": {"signal": "go"}}, {"id": "child", "action": "workflow.run", "config": {"workflowDefinitionId": "x"}}, {"id": "no", "action": "fail", "config": {"reason": "no"}}]}"#
        )
        for next in ["pause", "signal", "child"] {
            #expect(!Self.mayRunAhead(after: Self.completion(to: .step(next, mode: .main)), pending: 1, definition: waiting), "\(next)")
        }
        #expect(Self.mayRunAhead(after: Self.completion(to: .step("no", mode: .main)), pending: 1, definition: waiting))
    }

    /// The executor asks the action, not a list of names: each action of this release says whether
    /// it has side effects, and an action the registry does not know counts as having them.
    @Test func eachActionSaysWhetherItHasSideEffects() throws {
        let pure: Set<ActionName> = [.transform, .switch, .complete, .fail, .eventEmit]
        for name in ActionName.allCases {
            #expect(Self.actions.hasSideEffects(name) == !pure.contains(name), "\(name.rawValue)")
        }
        #expect(ActionRegistry([:]).hasSideEffects(.transform), "an unregistered action is not run ahead")

        struct PureAction: Action {
            var hasSideEffects: Bool { false }
            func execute(_ input: ActionInput) async throws -> ActionResult { .ok(.null) }
        }
        let definition = try Self.definition(Self.mixed)
        let verify = Self.completion(to: .step("verify", mode: .main))
        #expect(RunExecutor.mayRunAhead(after: verify, pending: 1, definition: definition, actions: ActionRegistry([.httpRequest: PureAction()])))
        #expect(!RunExecutor.mayRunAhead(after: Self.completion(to: .step("decide", mode: .main)), pending: 1, definition: definition, actions: ActionRegistry([:])))
    }

    @Test func stepsCommittedTogetherAreAllRecordedInOrder() async throws {
        try await EngineHarness.with { h in
            try await h.publish("mixed", Self.mixed)
            let run = try await h.start("mixed")
            let done = try await h.finished(run.id)
            #expect(done.status == .completed)
            #expect(done.result == ["score": 72, "n": 1])
            #expect(done.stepsExecuted == 5)
            #expect(h.received.count("/verify") == 1)
            let tasks = try await h.tasks(run.id)
            #expect(tasks.map(\.stepId) == ["prepare", "verify", "decide", "route", "done"])
            #expect(tasks.allSatisfy { $0.outcome.status == .ok })
            #expect(tasks[3].outcome.code == "true")
            #expect(tasks.map(\.id) == tasks.map(\.id).sorted(), "task ids follow execution order")
        }
    }

    @Test func aLongLoopOfPureStepsCommitsInBatchesAndKeepsEveryStep() async throws {
        try await EngineHarness.with { h in
            try await h.publish(
                "count",
                #"{"name": "count", "steps": [{"id": "start", "action": "transform", "config": {"set": {"n": 0}}}, {"id": "inc", "action": "transform", "config": {"set": {"n": "${state.n + 1}"}}, "next": [{"when": "${state.n < 40}", "stepId": "inc"}]}, {"id": "done", "action": "complete", "config": {"result": {"n": "${state.n}"}}}]}"#
            )
            let done = try await h.finished(try await h.start("count").id)
            #expect(done.status == .completed)
            #expect(done.result == ["n": 40])
            #expect(done.stepsExecuted == 42)
            let tasks = try await h.tasks(done.id)
            #expect(tasks.map(\.stepId) == ["start"] + Array(repeating: "inc", count: 40) + ["done"])
        }
    }
}
