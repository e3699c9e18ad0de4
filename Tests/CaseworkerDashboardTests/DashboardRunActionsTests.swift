import CaseworkerCore
import CaseworkerTestSupport
import Foundation
import HTTPTypes
import Testing

/// A run's graph and review form, and the bulk actions of the runs list.
@Suite struct DashboardRunActionsTests {
    @Test func aWaitingReviewGetsAFormAndTheDecisionReachesTheRun() async throws {
        let app = try await DashboardApp()
        try await app.test { client, api in
            let caseId = try #require(try await api.send(.post, "/v1/cases", key: app.keyA, json: ["firstName": "Ada"]).json["id"]?.stringValue)
            let definition: JSONValue = [
                "name": "Review", "isDraft": false,
                "steps": [
                    ["id": "review", "action": "await", "config": ["signal": "review"]],
                    ["id": "done", "action": "complete", "config": ["result": "${steps.review.output}"]],
                ],
            ]
            #expect(try await api.send(.put, "/v1/workflow-definitions/review", key: app.keyA, json: definition).status == .created)
            let runId = try #require(
                try await api.send(.post, "/v1/workflows/run", key: app.keyA, json: ["caseId": .string(caseId), "workflowDefinitionId": "review"])
                    .json["id"]?.stringValue)
            var status = "PENDING"
            for _ in 0..<10 where status != "WAITING" {
                status = try await api.send(.get, "/v1/workflows/\(runId)?waitSeconds=20&unlessStatus=\(status)", key: app.keyA).json["status"]?.stringValue ?? ""
            }
            #expect(status == "WAITING")
            let browser = try await client.signIn(key: app.keyA)
            let page = try await browser.get("/ui/runs/\(runId)")
            #expect(page.text.contains("Review: the run awaits the signal review"))
            #expect(page.text.contains(#"<svg class="graph""#))
            #expect(page.text.contains("▶ review · await"), "the current step is marked")
            #expect(try await browser.post("/ui/runs/\(runId)/signal", form: ["csrf": browser.csrf, "signal": "review", "payload": "{not json"]).status == .badRequest)
            let sent = try await browser.post("/ui/runs/\(runId)/signal", form: ["csrf": browser.csrf, "signal": "review", "decision": "approve", "comment": "fine"])
            #expect(sent.status == .seeOther)
            for _ in 0..<10 where status != "COMPLETED" {
                status = try await api.send(.get, "/v1/workflows/\(runId)?waitSeconds=20&unlessStatus=\(status)", key: app.keyA).json["status"]?.stringValue ?? ""
            }
            #expect(status == "COMPLETED")
            let result = try await api.send(.get, "/v1/workflows/\(runId)/result", key: app.keyA).json
            #expect(result["result"]?["decision"] == "approve", "\(result)")
            #expect(result["result"]?["reviewer"] == "operator")
        }
    }

    @Test func bulkRetryAsksForConfirmationThenRetriesTheFilteredRuns() async throws {
        let app = try await DashboardApp()
        try await app.test { client, api in
            let first = try await api.failedRun(key: app.keyA)
            let second = try await api.failedRun(key: app.keyA)
            let browser = try await client.signIn(key: app.keyA)
            let list = try await browser.get("/ui/runs?status=FAILED")
            #expect(list.text.contains("Retry every run of this filter"))
            let confirm = try await browser.get("/ui/runs/bulk?action=retry&status=FAILED")
            #expect(confirm.text.contains("Retry 2 FAILED runs?"), "\(confirm.text)")
            #expect(try await api.status(first, key: app.keyA) == "FAILED", "asking changes nothing")
            #expect(try await browser.get("/ui/runs/bulk?action=retry&status=COMPLETED").status == .badRequest)
            let done = try await browser.post("/ui/runs/bulk", form: ["csrf": browser.csrf, "action": "retry", "status": "FAILED"])
            #expect(done.text.contains("2 runs retried"))
            for runId in [first, second] {
                // Retried, the run executes its failing step once more: a second attempt of `check`.
                let attempts = try await waitForValue("the retried attempt of \(runId)", timeout: .seconds(30)) {
                    let tasks = try await app.store.runExecution(tenantId: "tenant-a", runId: runId)?.tasks ?? []
                    return tasks.count >= 2 ? tasks.count : nil
                }
                #expect(attempts >= 2)
            }
            let readOnly = try await client.signIn(key: app.readOnlyKeyA)
            #expect(!(try await readOnly.get("/ui/runs?status=FAILED").text.contains("Retry every run")))
            #expect(try await readOnly.post("/ui/runs/bulk", form: ["csrf": readOnly.csrf, "action": "retry", "status": "FAILED"]).status == .forbidden)
        }
    }

    @Test func aLongTimelineIsShownPageByPage() async throws {
        let app = try await DashboardApp()
        try await app.test { client, api in
            let caseId = try #require(try await api.send(.post, "/v1/cases", key: app.keyA, json: ["firstName": "Ada"]).json["id"]?.stringValue)
            // 130 turns of a loop: 260 tasks, three pages of 100.
            let definition: JSONValue = [
                "name": "Loop", "isDraft": false, "initialState": ["n": 0],
                "steps": [
                    ["id": "count", "action": "transform", "config": ["set": ["n": "${state.n + 1}"]]],
                    ["id": "again", "action": "switch", "config": ["value": "${state.n < 130}"], "next": [["code": "true", "stepId": "count"]]],
                    ["id": "done", "action": "complete", "config": ["result": "${state.n}"]],
                ],
            ]
            let saved = try await api.send(.put, "/v1/workflow-definitions/loop", key: app.keyA, json: definition)
            #expect(saved.status == .created, "\(saved.text)")
            let runId = try #require(
                try await api.send(.post, "/v1/workflows/run", key: app.keyA, json: ["caseId": .string(caseId), "workflowDefinitionId": "loop"])
                    .json["id"]?.stringValue)
            try await waitFor("the loop to complete", timeout: .seconds(60)) { try await api.status(runId, key: app.keyA) == "COMPLETED" }
            let browser = try await client.signIn(key: app.keyA)
            var page = try await browser.get("/ui/runs/\(runId)")
            #expect(page.text.contains("261 tasks."))
            var rows = page.text.components(separatedBy: "<summary>Parameters and output</summary>").count - 1
            var seen = rows
            while let range = page.text.range(of: #"href="/ui/runs/\#(runId)\?after=([0-9A-Z]+)""#, options: .regularExpression) {
                let link = String(page.text[range].dropFirst(6).dropLast())
                page = try await browser.get(link)
                rows = page.text.components(separatedBy: "<summary>Parameters and output</summary>").count - 1
                #expect(rows <= 100)
                seen += rows
            }
            #expect(seen == 261, "every task on exactly one page")
        }
    }

    @Test func aRunLinksItsChildRunsAndAChildItsParent() async throws {
        let app = try await DashboardApp()
        try await app.test { client, api in
            let child = try await api.failedRun(key: app.keyA)  // publishes `check`, which fails
            let caseId = try #require(try await api.send(.get, "/v1/workflows/\(child)", key: app.keyA).json["caseId"]?.stringValue)
            let parentDefinition: JSONValue = [
                "name": "Parent", "isDraft": false,
                "steps": [["id": "screen", "action": "workflow.run", "config": ["workflowDefinitionId": "check"]]],
            ]
            #expect(try await api.send(.put, "/v1/workflow-definitions/parent", key: app.keyA, json: parentDefinition).status == .created)
            let parent = try #require(
                try await api.send(.post, "/v1/workflows/run", key: app.keyA, json: ["caseId": .string(caseId), "workflowDefinitionId": "parent"])
                    .json["id"]?.stringValue)
            try await waitFor("the parent to fail with its child", timeout: .seconds(60)) { try await api.status(parent, key: app.keyA) == "FAILED" }
            let tasks = try #require(try await app.store.runExecution(tenantId: "tenant-a", runId: parent)?.tasks)
            let childId = try #require(tasks.compactMap(\.childRunId).first)
            let browser = try await client.signIn(key: app.keyA)
            #expect(try await browser.get("/ui/runs/\(parent)").text.contains(#"<a href="/ui/runs/\#(childId)">"#))
            #expect(try await browser.get("/ui/runs/\(childId)").text.contains(#"<dt>Parent run</dt><dd><a href="/ui/runs/\#(parent)">"#))
        }
    }

    @Test func aParallelRunListsItsBranchesAndABranchItsParentAndBranch() async throws {
        let app = try await DashboardApp()
        try await app.test { client, api in
            let failed = try await api.failedRun(key: app.keyA)
            let caseId = try #require(try await api.send(.get, "/v1/workflows/\(failed)", key: app.keyA).json["caseId"]?.stringValue)
            let definition: JSONValue = [
                "name": "Fan", "isDraft": false,
                "steps": [["id": "fan", "action": "parallel", "config": ["branches": [
                    ["id": "left", "steps": [["id": "l1", "action": "complete", "config": ["result": 1]]]],
                    ["id": "right", "steps": [["id": "r1", "action": "complete", "config": ["result": 2]]]],
                ]]]],
            ]
            #expect(try await api.send(.put, "/v1/workflow-definitions/fan", key: app.keyA, json: definition).status == .created)
            let run = try #require(
                try await api.send(.post, "/v1/workflows/run", key: app.keyA, json: ["caseId": .string(caseId), "workflowDefinitionId": "fan"])
                    .json["id"]?.stringValue)
            try await waitFor("the run to complete", timeout: .seconds(60)) { try await api.status(run, key: app.keyA) == "COMPLETED" }
            let branches = try await app.store.branchExecutions(tenantId: "tenant-a", runId: run).map(\.run)
            #expect(branches.count == 2)
            // The overview counts the run, not its branches.
            let activity = try await app.store.runActivity(tenantId: "tenant-a", since: Date(timeIntervalSinceNow: -3600), bucketSeconds: 3600)
            #expect(activity.filter { $0.status == .completed }.reduce(0) { $0 + $1.count } == 1)
            let browser = try await client.signIn(key: app.keyA)
            let page = try await browser.get("/ui/runs/\(run)").text
            #expect(page.contains("<h2>Parallel branches</h2>"))
            for branch in branches { #expect(page.contains(#"<a href="/ui/runs/\#(branch.id)">"#)) }
            let left = try await browser.get("/ui/runs/\(branches[0].id)").text
            #expect(left.contains("<dt>Branch</dt><dd>left of step fan</dd>"))
            #expect(left.contains(#"<dt>Parent run</dt><dd><a href="/ui/runs/\#(run)">"#))
        }
    }
}
