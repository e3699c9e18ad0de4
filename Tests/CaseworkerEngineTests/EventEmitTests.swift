import CaseworkerCore
import CaseworkerEngine
import CaseworkerStore
import CaseworkerTestSupport
import Foundation
import Testing

/// `event.emit` (SPEC 2.5): a custom event written to the outbox with the step's completion, to
/// the endpoints subscribed to its type only.
@Suite struct EventEmitTests {
    static let secret = "whsec_" + Data(repeating: 7, count: 32).base64EncodedString()

    func endpoint(_ h: EngineHarness, _ url: String, events: [WebhookEventType]) async throws -> String {
        try await h.store.createEndpoint(tenantId: EngineHarness.tenant, fields: .init(url: url, events: events), secret: Self.secret).id
    }

    /// The event bodies delivered to `endpointId`, oldest first.
    func bodies(_ h: EngineHarness, endpointId: String) async throws -> [JSONValue] {
        let deliveries = try await h.store.listDeliveries(
            tenantId: EngineHarness.tenant, filter: .init(endpointId: endpointId), page: .init(limit: 50)
        ).items
        var bodies: [JSONValue] = []
        for delivery in deliveries.sorted(by: { $0.eventId < $1.eventId }) {
            let detail = try #require(try await h.store.findDelivery(tenantId: EngineHarness.tenant, id: delivery.id))
            bodies.append(try JSONText.decode(detail.body))
        }
        return bodies
    }

    static let review = """
        {"name": "review", "steps": [
          {"id": "ask", "action": "event.emit",
           "config": {"type": "kyc.document_requested", "data": {"document": "passport", "for": "${input.who}"}}},
          {"id": "done", "action": "complete", "config": {"result": "${steps.ask.output}"}}]}
        """

    @Test func theEventReachesItsSubscribersWithTheRunAndStep() async throws {
        try await EngineHarness.with(clock: ManualClock()) { h in
            try await h.publish("review", Self.review)
            let subscribed = try await endpoint(h, "https://hooks.example/docs", events: [WebhookEventType(rawValue: "kyc.document_requested")!])
            let terminalOnly = try await endpoint(h, "https://hooks.example/done", events: [.completed])
            let other = try await endpoint(h, "https://hooks.example/other", events: [WebhookEventType(rawValue: "kyc.review_needed")!])

            let run = try await h.start("review", input: ["who": "ada"])
            let finished = try await h.finished(run.id)
            #expect(finished.status == .completed)

            let events = try await bodies(h, endpointId: subscribed)
            #expect(events.count == 1)
            let event = try #require(events.first)
            #expect(event["type"] == "kyc.document_requested")
            let data = try #require(event["data"])
            #expect(data["id"] == .string(run.id))
            #expect(data["caseId"] == .string(run.caseId))
            #expect(data["workflowDefinitionId"] == "review")
            #expect(data["version"] == 1)
            #expect(data["stepId"] == "ask")
            #expect(data["payload"] == ["document": "passport", "for": "ada"])
            #expect(data["correlationId"] == "corr-1")

            // The step's output names the event, whose id is the webhook-id of its deliveries.
            let output = try #require(finished.result)
            #expect(output["type"] == "kyc.document_requested")
            let delivery = try #require(
                try await h.store.listDeliveries(tenantId: EngineHarness.tenant, filter: .init(endpointId: subscribed), page: .init(limit: 5))
                    .items.first)
            #expect(output["eventId"] == .string(delivery.eventId))
            #expect(delivery.eventType.rawValue == "kyc.document_requested")

            #expect(try await bodies(h, endpointId: terminalOnly).map { $0["type"] } == ["workflow.completed"])
            #expect(try await bodies(h, endpointId: other).isEmpty)
        }
    }

    @Test func aTypeComputedAtRunTimeMustBeACustomType() async throws {
        try await EngineHarness.with(clock: ManualClock()) { h in
            try await h.publish(
                "computed",
                """
                {"name": "computed", "steps": [
                  {"id": "say", "action": "event.emit", "config": {"type": "${input.type}"}}]}
                """)
            for (type, code) in [("workflow.completed", "invalid_event_type"), ("Bad Type", "invalid_event_type"), ("ok.type", nil)] {
                let run = try await h.start("computed", input: ["type": .string(type)])
                let finished = try await h.finished(run.id)
                let task = try #require(try await h.tasks(run.id).last)
                if let code {
                    #expect(finished.status == .failed, "\(type)")
                    #expect(task.outcome == StepOutcome(.ko, code: code), "\(type)")
                    #expect(task.error?.contains("[a-z][a-z0-9_.-]*") == true)
                } else {
                    #expect(finished.status == .completed)
                    #expect(task.outcome.status == .ok)
                }
            }
        }
    }

    @Test func dataOver64KiBEndsTheStepKOAndWritesNoEvent() async throws {
        try await EngineHarness.with(clock: ManualClock()) { h in
            try await h.publish(
                "big",
                """
                {"name": "big", "steps": [
                  {"id": "say", "action": "event.emit", "config": {"type": "big.event", "data": "${input.blob}"}}]}
                """)
            let subscribed = try await endpoint(h, "https://hooks.example/big", events: [WebhookEventType(rawValue: "big.event")!])
            let run = try await h.start("big", input: ["blob": .string(String(repeating: "x", count: 70_000))])
            let finished = try await h.finished(run.id)
            #expect(finished.status == .failed)
            let task = try #require(try await h.tasks(run.id).last)
            #expect(task.outcome == StepOutcome(.ko, code: "event_too_large"))
            #expect(try await bodies(h, endpointId: subscribed).isEmpty)
        }
    }
}
