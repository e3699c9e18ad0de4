import CaseworkerCore
import CaseworkerStore
import Foundation
import Testing

/// The outbox: a run's terminal transition commits with its event and one `PENDING` delivery per
/// enabled endpoint of its tenant subscribed to the event's type (and to the run's definition,
/// when the endpoint names definitions); a write that is refused leaves no event; transitions
/// that are not terminal write none, except a run that starts waiting for a signal
/// (`workflow.waiting`).
@Suite struct OutboxConformanceTests {
    @Test func aCompletedRunsEventGoesToEverySubscribedEndpointAndNoOther() async throws {
        try await StoreUnderTest.with { s in
            let everything = try await s.endpoint("everything")
            let defaults = try await s.endpoint("defaults", events: WebhookEventType.defaultSubscription)
            let completedOnly = try await s.endpoint("completed", events: [.completed])
            let failedOnly = try await s.endpoint("failed", events: [.failed])
            let thisDefinition = try await s.endpoint("this-definition", definitions: ["d"])
            let otherDefinition = try await s.endpoint("other-definition", definitions: ["other"])
            let disabled = try await s.endpoint("disabled", enabled: false)
            let otherTenants = try await s.endpoint("other-tenant", tenant: StoreUnderTest.otherTenant)

            let run = try await s.completedRun()
            let deliveries = try await s.deliveries()
            #expect(
                Set(deliveries.map(\.endpointId)) == [everything.id, defaults.id, completedOnly.id, thisDefinition.id],
                "one delivery per enabled, subscribed endpoint of the tenant")
            #expect(deliveries.count == 4)
            #expect(Set(deliveries.map(\.eventId)).count == 1, "one event, delivered to each endpoint")
            for delivery in deliveries {
                #expect(delivery.status == .pending && delivery.attemptCount == 0 && delivery.nextAttemptAt == s.now)
                #expect(delivery.eventType == .completed && delivery.tenantId == StoreUnderTest.tenant)
            }
            for endpoint in [failedOnly, otherDefinition, disabled, otherTenants] {
                #expect(try await s.events(to: endpoint).isEmpty, "\(endpoint.fields.url) gets nothing")
            }
            let event = try #require(try await s.events(to: everything).first)
            #expect(event.type == "workflow.completed" && event.runId == run.id)
            #expect(event.data["status"] == "COMPLETED" && event.data["result"] == ["score": 80])
            #expect(event.data["caseId"] == .string(s.caseId) && event.data["workflowDefinitionId"] == "d")
        }
    }

    @Test func everyTerminalStatusHasItsEvent() async throws {
        try await StoreUnderTest.with { s in
            let hook = try await s.endpoint()
            let completed = try await s.completedRun()
            let failed = try await s.failedRun()
            let timedOutRun = try await s.startRun()
            let timedOut = try await s.finish(
                try await s.claimOne(timedOutRun), .end(.timedOut), error: RunError(code: "timeout", message: "too slow", stepId: "a"))
            let cancelled = try #require(try await s.store.cancelRun(tenantId: StoreUnderTest.tenant, id: try await s.startRun().id))
            let events = try await s.events(to: hook)
            #expect(events.map(\.type) == ["workflow.completed", "workflow.failed", "workflow.timed_out", "workflow.cancelled"])
            #expect(events.map(\.runId) == [completed.id, failed.id, timedOut.id, cancelled.id])
            #expect(events[1].data["error"]?["code"] == "500" && events[1].data["status"] == "FAILED")
            #expect(events[2].data["status"] == "TIMED_OUT" && events[3].data["error"]?["code"] == "cancelled")
            // Each terminal run is found with the status its event announced.
            for (run, status) in [(completed, RunStatus.completed), (failed, .failed), (timedOut, .timedOut), (cancelled, .cancelled)] {
                #expect(try await s.store.findRun(tenantId: StoreUnderTest.tenant, id: run.id)?.status == status)
            }
        }
    }

    @Test func aTerminalRunAlwaysHasItsEvent() async throws {
        try await StoreUnderTest.with { s in
            let hook = try await s.endpoint()
            for _ in 0..<3 { _ = try await s.completedRun() }
            _ = try await s.failedRun()
            let terminal = try await s.store.listRuns(tenantId: StoreUnderTest.tenant, filter: .init(), page: .init(limit: 100)).items
                .filter(\.status.isTerminal)
            let events = try await s.events(to: hook)
            #expect(terminal.count == 4)
            for run in terminal {
                #expect(events.filter { $0.runId == run.id }.map(\.type) == [run.status.eventType], "run \(run.id)")
            }
        }
    }

    @Test func aRefusedWriteLeavesNoEvent() async throws {
        try await StoreUnderTest.with { s in
            let hook = try await s.endpoint()
            let run = try await s.startRun()
            let claimed = try await s.claimOne(run, owner: "engine-1")
            await expectConflict("a non-owner's terminal completion") {
                try await s.finish(claimed, owner: "engine-2", .end(.failed), error: RunError(code: "x", message: "x", stepId: "a"))
            }
            #expect(try await s.events(to: hook).isEmpty)
            let completed = try await s.finish(claimed, owner: "engine-1", .complete(result: nil))
            await expectConflict("cancelling a completed run") { try await s.store.cancelRun(tenantId: StoreUnderTest.tenant, id: run.id) }
            await expectConflict("retrying a completed run") {
                try await s.store.retryRun(tenantId: StoreUnderTest.tenant, id: run.id, fromStepId: "a")
            }
            await expectConflict("completing it again") { try await s.finish(completed, owner: "engine-1", .complete(result: nil)) }
            #expect(try await s.events(to: hook).map(\.type) == ["workflow.completed"])
        }
    }

    @Test func transitionsThatAreNotTerminalWriteNoEvent() async throws {
        try await StoreUnderTest.with { s in
            let hook = try await s.endpoint()
            let run = try await s.startRun()
            var current = try await s.claimOne(run)
            current = try await s.finish(current, .step("b", mode: .main), keepClaim: true)
            current = try await s.finish(current, .retry(at: s.now))
            current = try await s.claimOne(run)
            current = try await s.finish(current, .suspend(.timer(until: s.now.addingTimeInterval(5), since: s.now)))
            #expect(current.status == .waiting)
            #expect(try await s.events(to: hook).isEmpty)
            #expect(try await s.deliveries().isEmpty)
        }
    }

    @Test func waitingForASignalAnnouncesItUnlessAKeptSignalIsConsumedAtOnce() async throws {
        try await StoreUnderTest.with { s in
            let hook = try await s.endpoint(events: [.waiting])
            let run = try await s.startRun()
            let claimed = try await s.claimOne(run)
            _ = try await s.finish(claimed, .suspend(RunWait(signal: "approve", until: nil, since: s.now)))
            let events = try await s.events(to: hook)
            #expect(events.map(\.type) == ["workflow.waiting"])
            #expect(events.first?.runId == run.id && events.first?.data["signal"] == "approve")

            let other = try await s.startRun()
            let otherClaimed = try await s.claimOne(other)
            #expect(try await s.store.signalRun(tenantId: StoreUnderTest.tenant, id: other.id, name: "approve", payload: true)?.consumed == false)
            let consumed = try await s.finish(otherClaimed, .suspend(RunWait(signal: "approve", until: nil, since: s.now)))
            #expect(consumed.wait?.payload == true)
            #expect(try await s.events(to: hook).count == 1, "a run that does not wait announces no waiting")
        }
    }

    @Test func anEndpointFilteredByDefinitionStillGetsItsOwnDefinitionsRuns() async throws {
        try await StoreUnderTest.with { s in
            let onlyD = try await s.endpoint("only-d", definitions: ["d"])
            let onlyE = try await s.endpoint("only-e", definitions: ["e"])
            let d = try await s.completedRun("d")
            let e = try await s.completedRun("e")
            #expect(try await s.events(to: onlyD).map(\.runId) == [d.id])
            #expect(try await s.events(to: onlyE).map(\.runId) == [e.id])
        }
    }
}
