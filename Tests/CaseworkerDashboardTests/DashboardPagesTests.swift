import CaseworkerCore
import CaseworkerStore
import CaseworkerTestSupport
import Foundation
import HTTPTypes
import Testing

/// The case, definition and webhook pages: what they show, their actions, scopes and tenancy.
@Suite struct DashboardPagesTests {
    @Test func aCasesPageShowsItsFieldsAndRunsAndErasesAfterConfirmation() async throws {
        let app = try await DashboardApp()
        try await app.test { client, api in
            let runId = try await api.failedRun(key: app.keyA, caseExternalId: "<b>ext-1</b>")
            let caseId = try #require(try await api.send(.get, "/v1/workflows/\(runId)", key: app.keyA).json["caseId"]?.stringValue)
            let browser = try await client.signIn(key: app.keyA)
            let page = try await browser.get("/ui/cases/\(caseId)")
            #expect(page.status == .ok)
            #expect(page.text.contains("&lt;b&gt;ext-1&lt;/b&gt;"))
            #expect(page.text.contains("Ada"))
            #expect(page.text.contains(runId))
            let confirm = try await browser.get("/ui/cases/\(caseId)/erase")
            #expect(confirm.text.contains("Erase case"))
            #expect(try await browser.post("/ui/cases/\(caseId)/erase", form: ["csrf": browser.csrf]).status == .seeOther)
            let erased = try await browser.get("/ui/cases/\(caseId)")
            #expect(erased.text.contains("Erased at"))
            #expect(!erased.text.contains("Ada"))

            let readOnly = try await client.signIn(key: app.readOnlyKeyA)
            #expect(!(try await readOnly.get("/ui/cases/\(caseId)").text.contains("Erase this case")))
            #expect(try await readOnly.post("/ui/cases/\(caseId)/erase", form: ["csrf": readOnly.csrf]).status == .forbidden)
            let other = try await client.signIn(key: app.keyB)
            #expect(try await other.get("/ui/cases/\(caseId)").status == .notFound)
        }
    }

    @Test func definitionsShowVersionsTheirDifferenceAndDisable() async throws {
        let app = try await DashboardApp()
        try await app.test { client, api in
            _ = try await api.failedRun(key: app.keyA)
            let second: JSONValue = ["name": "Check", "isDraft": false, "steps": [["id": "check", "action": "fail", "config": ["code": "refused", "reason": "no"]]]]
            #expect(try await api.send(.put, "/v1/workflow-definitions/check", key: app.keyA, json: second).status == .ok)
            let browser = try await client.signIn(key: app.keyA)
            let list = try await browser.get("/ui/definitions")
            #expect(list.text.contains(#"href="/ui/definitions/check""#))
            let page = try await browser.get("/ui/definitions/check")
            #expect(page.text.contains("Version 2"))
            #expect(page.text.contains("changes from 1"))
            let diff = try await browser.get("/ui/definitions/check/diff?from=1&to=2")
            #expect(diff.text.contains(#"<del>-         &quot;code&quot; : &quot;rejected&quot;,</del>"#), "\(diff.text)")
            #expect(diff.text.contains(#"<ins>+         &quot;code&quot; : &quot;refused&quot;,</ins>"#))
            #expect(try await browser.get("/ui/definitions/check?version=7").status == .notFound)
            #expect(try await browser.get("/ui/definitions/check?version=x").status == .badRequest)
            #expect(try await browser.post("/ui/definitions/check/disable", form: ["csrf": browser.csrf]).status == .seeOther)
            #expect(try await browser.get("/ui/definitions/check").text.contains("Disabled: new runs are refused."))
            let readOnly = try await client.signIn(key: app.readOnlyKeyA)
            #expect(!(try await readOnly.get("/ui/definitions/check").text.contains(">Enable<")))
            #expect(try await client.signIn(key: app.keyB).get("/ui/definitions/check").status == .notFound)
        }
    }

    @Test func webhooksShowEndpointsAndDeliveriesAndTheAttemptLog() async throws {
        let app = try await DashboardApp()
        try await app.test { client, api in
            let endpoint = try await api.send(.post, "/v1/webhook-endpoints", key: app.keyA, json: ["url": "https://crm.example/hooks/caseworker"])
            #expect(endpoint.status == .created, "\(endpoint.text)")
            let endpointId = try #require(endpoint.json["id"]?.stringValue)
            _ = try await api.failedRun(key: app.keyA)
            let deliveries = try await api.send(.get, "/v1/webhook-deliveries?endpointId=\(endpointId)", key: app.keyA).json
            let deliveryId = try #require(deliveries["items"]?.arrayValue?.first?["id"]?.stringValue, "\(deliveries)")
            let browser = try await client.signIn(key: app.keyA)
            let page = try await browser.get("/ui/webhooks")
            #expect(page.text.contains("https://crm.example/hooks/caseworker"))
            #expect(page.text.contains(deliveryId))
            let delivery = try await browser.get("/ui/deliveries/\(deliveryId)")
            #expect(delivery.status == .ok)
            #expect(delivery.text.contains("workflow.failed"))
            #expect(delivery.text.contains(">Redeliver<"))
            // Still pending (no dispatcher runs here): the store refuses a second pending copy.
            #expect(try await browser.post("/ui/deliveries/\(deliveryId)/redeliver", form: ["csrf": browser.csrf]).status == .conflict)
            let confirm = try await browser.get("/ui/webhooks/\(endpointId)/redeliver?since=2026-01-01T00:00")
            #expect(confirm.status == .ok)
            #expect(confirm.text.contains("2026-01-01T00:00:00"))
            let bulk = try await browser.post("/ui/webhooks/\(endpointId)/redeliver", form: ["csrf": browser.csrf, "since": "2026-01-01T00:00:00Z"])
            #expect(bulk.text.contains("0 deliveries queued again."))
            #expect(try await browser.get("/ui/webhooks/\(endpointId)/redeliver?since=yesterday").status == .badRequest)

            let readOnly = try await client.signIn(key: app.readOnlyKeyA)
            #expect(!(try await readOnly.get("/ui/deliveries/\(deliveryId)").text.contains(">Redeliver<")))
            let other = try await client.signIn(key: app.keyB)
            #expect(try await other.get("/ui/deliveries/\(deliveryId)").status == .notFound)
            #expect(!(try await other.get("/ui/webhooks").text.contains("crm.example")))
        }
    }

    @Test func theOverviewCountsRunsPerStatusAndTheDeliveryBacklog() async throws {
        let app = try await DashboardApp()
        try await app.test { client, api in
            #expect(try await api.send(.post, "/v1/webhook-endpoints", key: app.keyA, json: ["url": "https://crm.example/hooks"]).status == .created)
            _ = try await api.failedRun(key: app.keyA)
            _ = try await api.failedRun(key: app.keyA)
            _ = try await api.failedRun(key: app.keyB)
            let browser = try await client.signIn(key: app.keyA)
            let page = try await browser.get("/ui")
            #expect(page.status == .ok)
            #expect(page.text.contains(#"<a href="/ui/runs?status=FAILED">FAILED</a></th><td>2</td><td>2</td>"#), "tenant B's run is not counted")
            #expect(page.text.contains(#"<svg class="bars""#))
            #expect(page.text.contains(" failed</title>"), "the failed runs have a bar")
            #expect(page.text.contains("<strong>2</strong> deliveries pending"))
            #expect(page.text.contains("<strong>0</strong> runs in flight."))
        }
    }
}
