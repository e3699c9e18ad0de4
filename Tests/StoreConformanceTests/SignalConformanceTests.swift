import CaseworkerCore
import CaseworkerStore
import Foundation
import Testing

/// `RunStore.signalRun` and `StepCompletion.Next.suspend` of an `await`: a signal is delivered
/// (consumed) to a run `WAITING` for its name that has none yet, making it due now with the
/// payload; otherwise it is kept, and the next `await` of that name consumes the earliest kept
/// one at once.
@Suite struct SignalConformanceTests {
    static func awaiting(_ name: String, until: Date? = nil, since: Date) -> StepCompletion.Next {
        .suspend(RunWait(signal: name, until: until, since: since))
    }

    @Test func aSignalToARunWaitingForItIsDeliveredAndMakesItDueNow() async throws {
        try await StoreUnderTest.with { s in
            let run = try await s.startRun()
            let since = s.now
            let waiting = try await s.finish(try await s.claimOne(run), Self.awaiting("approve", since: since))
            #expect(waiting.status == .waiting && waiting.wait?.signal == "approve" && waiting.wait?.payload == nil)
            #expect(waiting.dueAt == nil, "an await without timeout and without a signal is never due")
            #expect(try await s.claim().isEmpty)
            s.clock.advance(by: 5)
            let receipt = try await s.store.signalRun(tenantId: StoreUnderTest.tenant, id: run.id, name: "approve", payload: ["ok": true])
            #expect(receipt == SignalReceipt(runId: run.id, signal: "approve", consumed: true))
            let stored = try #require(try await s.store.findRun(tenantId: StoreUnderTest.tenant, id: run.id))
            #expect(stored.dueAt == s.now && stored.wait?.payload == ["ok": true])
            #expect(try await s.store.nextDueDate() == s.now)
            let woken = try await s.claimOne(run)
            #expect(woken.status == .running && woken.currentStepId == "a")
            #expect(woken.wait == RunWait(signal: "approve", until: nil, since: since, payload: ["ok": true]), "a woken run keeps its wait")
            // Finishing the awaited step clears the wait.
            let next = try await s.finish(woken, .step("b", mode: .main))
            #expect(next.wait == nil)
        }
    }

    @Test func aSignalBeforeTheAwaitIsKeptAndConsumedWhenTheRunGetsThere() async throws {
        try await StoreUnderTest.with { s in
            let run = try await s.startRun()
            let claimed = try await s.claimOne(run)
            let receipt = try await s.store.signalRun(tenantId: StoreUnderTest.tenant, id: run.id, name: "approve", payload: "early")
            #expect(receipt?.consumed == false)
            let suspended = try await s.finish(claimed, Self.awaiting("approve", since: s.now))
            #expect(suspended.wait?.payload == "early" && suspended.dueAt == s.now, "a kept signal is consumed at once: due now")
            let woken = try await s.claimOne(run, owner: "engine-2")
            #expect(woken.wait?.payload == "early")
        }
    }

    @Test func keptSignalsAreConsumedEarliestFirstOnePerAwait() async throws {
        try await StoreUnderTest.with { s in
            let run = try await s.startRun()
            var current = try await s.claimOne(run)
            for payload in ["first", "second"] {
                #expect(
                    try await s.store.signalRun(tenantId: StoreUnderTest.tenant, id: run.id, name: "go", payload: .string(payload))?.consumed
                        == false)
            }
            current = try await s.finish(current, Self.awaiting("go", since: s.now))
            #expect(current.wait?.payload == "first")
            current = try await s.claimOne(run)
            current = try await s.finish(current, .step("a", mode: .main), keepClaim: true)
            current = try await s.finish(current, Self.awaiting("go", since: s.now))
            #expect(current.wait?.payload == "second")
            current = try await s.claimOne(run)
            current = try await s.finish(current, .step("a", mode: .main), keepClaim: true)
            current = try await s.finish(current, Self.awaiting("go", since: s.now))
            #expect(current.status == .waiting && current.wait?.payload == nil && current.dueAt == nil, "no kept signal is left")
        }
    }

    @Test func aSignalOfAnotherNameIsKeptAndDoesNotWakeTheRun() async throws {
        try await StoreUnderTest.with { s in
            let run = try await s.startRun()
            _ = try await s.finish(try await s.claimOne(run), Self.awaiting("approve", since: s.now))
            #expect(try await s.store.signalRun(tenantId: StoreUnderTest.tenant, id: run.id, name: "reject", payload: nil)?.consumed == false)
            let stored = try #require(try await s.store.findRun(tenantId: StoreUnderTest.tenant, id: run.id))
            #expect(stored.status == .waiting && stored.dueAt == nil && stored.wait?.payload == nil)
            #expect(try await s.claim().isEmpty)
        }
    }

    @Test func aSecondSignalToARunAlreadySignalledIsKept() async throws {
        try await StoreUnderTest.with { s in
            let run = try await s.startRun()
            _ = try await s.finish(try await s.claimOne(run), Self.awaiting("go", since: s.now))
            #expect(try await s.store.signalRun(tenantId: StoreUnderTest.tenant, id: run.id, name: "go", payload: 1)?.consumed == true)
            #expect(try await s.store.signalRun(tenantId: StoreUnderTest.tenant, id: run.id, name: "go", payload: 2)?.consumed == false)
            var current = try await s.claimOne(run)
            #expect(current.wait?.payload == 1)
            current = try await s.finish(current, .step("a", mode: .main), keepClaim: true)
            current = try await s.finish(current, Self.awaiting("go", since: s.now))
            #expect(current.wait?.payload == 2, "the kept second signal serves the next await")
        }
    }

    @Test func aSignalToARunWaitingOnATimerIsKept() async throws {
        try await StoreUnderTest.with { s in
            let run = try await s.startRun()
            let until = s.now.addingTimeInterval(60)
            _ = try await s.finish(try await s.claimOne(run), .suspend(.timer(until: until, since: s.now)))
            #expect(try await s.store.signalRun(tenantId: StoreUnderTest.tenant, id: run.id, name: "go", payload: nil)?.consumed == false)
            #expect(try await s.store.findRun(tenantId: StoreUnderTest.tenant, id: run.id)?.dueAt == until)
        }
    }

    @Test func anAwaitWithATimeoutIsDueAtItsTimeout() async throws {
        try await StoreUnderTest.with { s in
            let run = try await s.startRun()
            let until = s.now.addingTimeInterval(30)
            let waiting = try await s.finish(try await s.claimOne(run), Self.awaiting("go", until: until, since: s.now))
            #expect(waiting.dueAt == until)
            s.clock.advance(by: 30)
            let woken = try await s.claimOne(run)
            #expect(woken.wait?.signal == "go" && woken.wait?.payload == nil, "timed out: woken without a payload")
        }
    }

    @Test func aTerminalRunRefusesSignalsAndAnUnknownOneAnswersNil() async throws {
        try await StoreUnderTest.with { s in
            let completed = try await s.completedRun()
            await expectConflict("a signal to a COMPLETED run") {
                try await s.store.signalRun(tenantId: StoreUnderTest.tenant, id: completed.id, name: "go", payload: nil)
            }
            #expect(try await s.store.signalRun(tenantId: StoreUnderTest.tenant, id: s.ids.next(at: s.now), name: "go", payload: nil) == nil)
        }
    }
}
