import CaseworkerCore
import CaseworkerStore
import Foundation
import Testing

/// Engine claims (`RunStore.claimDueRuns`, `commit`, `releaseClaim`, `releaseClaimsAtStartup`,
/// `nextDueDate`): a claimed run belongs to one owner until it releases it (or its lease expires:
/// `LeaseConformanceTests`), and only the owner writes its steps.
@Suite struct ClaimConformanceTests {
    @Test func aClaimedRunIsNotClaimedAgainByAnotherOwner() async throws {
        try await StoreUnderTest.with { s in
            let run = try await s.startRun()
            let claimed = try await s.claimOne(run, owner: "engine-1")
            #expect(claimed.status == .running && claimed.currentStepId == "a" && claimed.startedAt == s.now)
            #expect(try await s.claim("engine-2").isEmpty)
            #expect(try await s.claim("engine-1").isEmpty, "not even by its own owner: it is not due twice")
            #expect(try await s.store.findRun(tenantId: StoreUnderTest.tenant, id: run.id)?.status == .running)
        }
    }

    @Test func concurrentClaimsShareNoRun() async throws {
        try await StoreUnderTest.with { s in
            var started: Set<String> = []
            for _ in 0..<24 { started.insert(try await s.startRun().id) }
            let now = s.now
            let store = s.store
            let claims = try await withThrowingTaskGroup(of: [String].self) { group in
                for owner in 0..<4 {
                    group.addTask {
                        try await store.claimDueRuns(
                            owner: "engine-\(owner)", limit: 10, now: now, leaseUntil: now.addingTimeInterval(StoreUnderTest.lease)
                        ).map(\.id)
                    }
                }
                return try await group.reduce(into: [[String]]()) { $0.append($1) }
            }
            let all = claims.flatMap { $0 }
            #expect(all.count == Set(all).count, "no run is claimed by two owners")
            #expect(Set(all) == started, "24 runs, 40 claim slots: every run is claimed once")
        }
    }

    @Test func claimsTakeTheOldestDueFirstUpToTheLimit() async throws {
        try await StoreUnderTest.with { s in
            var runs: [Run] = []
            for _ in 0..<3 {
                runs.append(try await s.startRun())
                s.clock.advance(by: 1)
            }
            #expect(try await s.claim(limit: 2).map(\.id) == runs.prefix(2).map(\.id))
            #expect(try await s.claim(limit: 2).map(\.id) == [runs[2].id])
            #expect(try await s.claim(limit: 0).isEmpty)
        }
    }

    @Test func aFinishStepsByANonOwnerIsRefusedAndWritesNothing() async throws {
        try await StoreUnderTest.with { s in
            let hook = try await s.endpoint()
            let run = try await s.startRun()
            let claimed = try await s.claimOne(run, owner: "engine-1")
            await expectConflict("another owner's completion") {
                try await s.finish(claimed, owner: "engine-2", .complete(result: ["stolen": true]))
            }
            let (stored, tasks) = try await s.execution(run)
            #expect(stored.status == .running && stored.currentStepId == "a" && stored.result == nil && stored.stepsExecuted == 0)
            #expect(tasks.isEmpty)
            #expect(try await s.events(to: hook).isEmpty, "a refused completion writes no event")
            // The owner's own completion still goes through.
            let completed = try await s.finish(claimed, owner: "engine-1", .complete(result: ["score": 80]))
            #expect(completed.status == .completed)
            #expect(try await s.execution(run).tasks.count == 1)
        }
    }

    @Test func aFinishStepsOnAnUnclaimedRunIsRefused() async throws {
        try await StoreUnderTest.with { s in
            let run = try await s.startRun()
            await expectConflict("a PENDING run nobody claimed") { try await s.finish(run, .step("b", mode: .main)) }
            let (stored, tasks) = try await s.execution(run)
            #expect(stored.status == .pending && stored.currentStepId == "a" && tasks.isEmpty)
        }
    }

    @Test func keepingTheClaimHoldsTheRunAndReleasingItEndsTheOwnersWrites() async throws {
        try await StoreUnderTest.with { s in
            let run = try await s.startRun()
            let claimed = try await s.claimOne(run, owner: "engine-1")
            let atB = try await s.finish(claimed, owner: "engine-1", .step("b", mode: .main), keepClaim: true)
            #expect(atB.status == .running && atB.currentStepId == "b" && atB.attempt == 1 && atB.stepsExecuted == 1)
            #expect(try await s.claim("engine-2").isEmpty, "a kept claim is still held")
            // Moving on without keeping the claim releases the run: it is due for anyone, and the
            // old owner's writes are refused.
            let released = try await s.finish(atB, owner: "engine-1", .step("a", mode: .main))
            #expect(released.status == .running && released.currentStepId == "a")
            await expectConflict("a write after releasing the claim") {
                try await s.finish(released, owner: "engine-1", .complete(result: nil))
            }
            let reclaimed = try await s.claimOne(run, owner: "engine-2")
            #expect(reclaimed.currentStepId == "a" && reclaimed.stepsExecuted == 2)
            #expect(try await s.finish(reclaimed, owner: "engine-2", .complete(result: nil)).status == .completed)
            #expect(try await s.execution(run).tasks.map(\.stepId) == ["a", "b", "a"])
        }
    }

    @Test func releasingAClaimLetsAnotherOwnerClaimTheRunUnchanged() async throws {
        try await StoreUnderTest.with { s in
            let run = try await s.startRun()
            let claimed = try await s.claimOne(run, owner: "engine-1")
            // Another owner's release changes nothing.
            try await s.store.releaseClaim(runId: run.id, owner: "engine-2")
            #expect(try await s.claim("engine-3").isEmpty)
            try await s.store.releaseClaim(runId: run.id, owner: "engine-1")
            let reclaimed = try await s.claimOne(run, owner: "engine-2")
            #expect(reclaimed.status == claimed.status && reclaimed.currentStepId == claimed.currentStepId)
            #expect(reclaimed.attempt == claimed.attempt && reclaimed.stepsExecuted == claimed.stepsExecuted)
            await expectConflict("the former owner") { try await s.finish(claimed, owner: "engine-1", .complete(result: nil)) }
            #expect(try await s.execution(run).tasks.isEmpty)
        }
    }

    /// A store of one process releases every claim at an engine's start (their owner is dead); a
    /// store shared by processes releases none (a dead owner's leases expire).
    @Test func startUpReleasesEveryClaimOfAOneProcessStoreAndNoneOfASharedOne() async throws {
        try await StoreUnderTest.with { s in
            let first = try await s.startRun()
            let second = try await s.startRun()
            _ = try await s.claim("engine-dead")
            #expect(try await s.store.releaseClaimsAtStartup() == (StoreUnderTest.sharedByProcesses ? 0 : 2))
            if StoreUnderTest.sharedByProcesses { s.clock.advance(by: StoreUnderTest.lease) }
            #expect(Set(try await s.claim("engine-new").map(\.id)) == [first.id, second.id])
            await expectConflict("the dead owner") { try await s.finish(first, owner: "engine-dead", .complete(result: nil)) }
        }
    }

    @Test func aTerminalRunIsNeverClaimedNorWritten() async throws {
        try await StoreUnderTest.with { s in
            let completed = try await s.completedRun()
            #expect(completed.status == .completed && completed.finishedAt == s.now && completed.currentStepId == nil)
            #expect(try await s.claim().isEmpty)
            s.clock.advance(by: 3600)
            #expect(try await s.claim().isEmpty)
            #expect(try await s.store.nextDueDate() == nil)
            await expectConflict("a completion of a COMPLETED run") {
                try await s.finish(completed, owner: "engine-done", .complete(result: ["again": true]))
            }
            #expect(try await s.execution(completed).tasks.count == 1)
        }
    }

    @Test func aRetryIsDueAtItsTimeAndClaimedThenWithTheNextAttempt() async throws {
        try await StoreUnderTest.with { s in
            let run = try await s.startRun()
            let claimed = try await s.claimOne(run)
            let retryAt = s.now.addingTimeInterval(10)
            let waiting = try await s.finish(claimed, .retry(at: retryAt))
            #expect(waiting.status == .running && waiting.attempt == 2 && waiting.dueAt == retryAt)
            #expect(try await s.store.nextDueDate() == retryAt)
            s.clock.advance(by: 9.999)
            #expect(try await s.claim("engine-2").isEmpty)
            s.clock.advance(by: 0.001)
            let again = try await s.claimOne(run, owner: "engine-2")
            #expect(again.attempt == 2 && again.currentStepId == "a")
        }
    }

    @Test func theNextDueDateIsTheEarliestDueRunOrClaimExpiry() async throws {
        try await StoreUnderTest.with { s in
            #expect(try await s.store.nextDueDate() == nil)
            let start = s.now
            _ = try await s.startRun()
            #expect(try await s.store.nextDueDate() == start)
            let claimed = try #require(try await s.claim().first)
            #expect(try await s.store.nextDueDate() == start.addingTimeInterval(StoreUnderTest.lease), "a claimed run until its lease expires")
            _ = try await s.finish(claimed, .suspend(.timer(until: start.addingTimeInterval(60), since: start)))
            #expect(try await s.store.nextDueDate() == start.addingTimeInterval(60))
        }
    }
}
