import CaseworkerCore
import CaseworkerStore
import Foundation
import Testing

/// Engine claims are leases (`RunStore.claimDueRuns(owner:limit:now:leaseUntil:)`,
/// `renewClaims`, `commit`): a claim holds until its expiry unless renewed; an expired claim is
/// claimable by another engine, never by its own owner; the old owner's writes are then refused
/// and record nothing. What a claim stores is `RunLifecycle.claimed`.
@Suite struct LeaseConformanceTests {
    @Test func anExpiredClaimIsTakenOverAndTheOldOwnersWriteIsRefused() async throws {
        try await StoreUnderTest.with { s in
            let run = try await s.startRun()
            let first = try await s.claimOne(run, owner: "engine-1")
            #expect(first.claim == RunClaim(owner: "engine-1", expiresAt: s.now.addingTimeInterval(StoreUnderTest.lease)))
            s.clock.advance(by: StoreUnderTest.lease - 1)
            #expect(try await s.claim("engine-2").isEmpty, "the lease still holds")
            s.clock.advance(by: 1)
            let taken = try await s.claimOne(run, owner: "engine-2")
            #expect(taken.status == .running && taken.claim?.owner == "engine-2" && taken.currentStepId == "a")
            await #expect(throws: StoreError.self) { try await s.finish(first, owner: "engine-1", .step("b", mode: .main), keepClaim: true) }
            #expect(try await s.execution(run).tasks.isEmpty, "the lost claim's write recorded nothing")
            let done = try await s.finish(taken, owner: "engine-2", .complete(result: ["ok": true]))
            #expect(done.status == .completed)
        }
    }

    @Test func aRenewedClaimHoldsPastItsFirstExpiry() async throws {
        try await StoreUnderTest.with { s in
            let run = try await s.startRun()
            _ = try await s.claimOne(run, owner: "engine-1")
            s.clock.advance(by: StoreUnderTest.lease - 2)
            #expect(try await s.store.renewClaims(owner: "engine-1", runIds: [run.id], until: s.now.addingTimeInterval(StoreUnderTest.lease)) == 1)
            #expect(try await s.store.renewClaims(owner: "engine-9", runIds: [run.id], until: s.now.addingTimeInterval(StoreUnderTest.lease)) == 0)
            s.clock.advance(by: StoreUnderTest.lease - 1)
            #expect(try await s.claim("engine-2").isEmpty)
            s.clock.advance(by: 1)
            #expect(try await s.claim("engine-2").map(\.id) == [run.id])
        }
    }

    @Test func aClaimTheEngineDoesNotRenewExpires() async throws {
        try await StoreUnderTest.with { s in
            let (kept, left) = (try await s.startRun(), try await s.startRun())
            _ = try await s.claim("engine-1")
            s.clock.advance(by: StoreUnderTest.lease - 2)
            #expect(try await s.store.renewClaims(owner: "engine-1", runIds: [kept.id], until: s.now.addingTimeInterval(StoreUnderTest.lease)) == 1)
            s.clock.advance(by: 2)
            #expect(try await s.claim("engine-2").map(\.id) == [left.id], "only the claim renewed holds")
        }
    }

    @Test func anEngineNeverTakesOverItsOwnExpiredClaim() async throws {
        try await StoreUnderTest.with { s in
            let run = try await s.startRun()
            _ = try await s.claimOne(run, owner: "engine-1")
            s.clock.advance(by: StoreUnderTest.lease * 2)
            #expect(try await s.claim("engine-1").isEmpty, "its own claims are live while it runs")
            #expect(try await s.claim("engine-2").map(\.id) == [run.id])
        }
    }

    @Test func theNextDueDateCountsAClaimsExpiry() async throws {
        try await StoreUnderTest.with { s in
            let run = try await s.startRun()
            _ = try await s.claimOne(run, owner: "engine-1")
            #expect(try await s.store.nextDueDate() == s.now.addingTimeInterval(StoreUnderTest.lease))
        }
    }

    @Test func aClaimStoresWhatTheLifecycleSays() async throws {
        try await StoreUnderTest.with { s in
            let content = StoreUnderTest.definition(timeout: (seconds: 30, policy: "TIME_OUT_WF"))
            let run = try await s.startRun("timed", content: content)
            let before = try #require(try await s.store.findRun(tenantId: StoreUnderTest.tenant, id: run.id))
            let claimed = try await s.claimOne(run, owner: "engine-1")
            let expected = RunLifecycle.claimed(
                before, by: RunClaim(owner: "engine-1", expiresAt: s.now.addingTimeInterval(StoreUnderTest.lease)), now: s.now)
            let stored = try #require(try await s.store.findRun(tenantId: StoreUnderTest.tenant, id: run.id))
            for candidate in [claimed, stored] {
                #expect(candidate.status == expected.status && candidate.startedAt == expected.startedAt)
                #expect(candidate.deadlineAt == expected.deadlineAt && candidate.claim == expected.claim)
                #expect(candidate.currentStepId == expected.currentStepId && candidate.wait == expected.wait)
            }
        }
    }
}
