import CaseworkerCore
import CaseworkerStore
import CaseworkerTestSupport
import Foundation
import Testing

/// The reads the dashboard makes (`RunActivityStore`, `RunTimelineStore`, the runs list's
/// correlation-id and time-range filters): counts and pages of the tenant's own runs only.
@Suite struct DashboardReadsConformanceTests {
    @Test func activityAndActiveRunsCountOnlyTheTenantsRuns() async throws {
        try await StoreUnderTest.with { subject in
            let since = subject.now.addingTimeInterval(-60)
            _ = try await subject.startRun()
            _ = try await subject.startRun()
            _ = try await subject.startRun(tenant: StoreUnderTest.otherTenant)
            let activity = try await subject.store.runActivity(tenantId: StoreUnderTest.tenant, since: since, bucketSeconds: 3600)
            #expect(activity.filter { $0.status == .pending }.reduce(0) { $0 + $1.count } == 2)
            #expect(activity.allSatisfy { Int($0.start.timeIntervalSince1970) % 3600 == 0 }, "buckets are aligned to the epoch")
            #expect(try await subject.store.activeRunCount(tenantId: StoreUnderTest.tenant) == 2)
            #expect(try await subject.store.activeRunCount(tenantId: StoreUnderTest.otherTenant) == 1)
            let later = try await subject.store.runActivity(tenantId: StoreUnderTest.tenant, since: subject.now.addingTimeInterval(60), bucketSeconds: 3600)
            #expect(later.isEmpty, "runs created before `since` are not counted")
        }
    }

    @Test func theRunsListFiltersByCorrelationIdAndCreationTime() async throws {
        try await StoreUnderTest.with { subject in
            let tagged = try await subject.startRun(correlationId: "order-7")
            subject.clock.advance(by: 10)
            let untagged = try await subject.startRun()
            let byCorrelation = try await subject.store.listRuns(
                tenantId: StoreUnderTest.tenant, filter: RunFilter(correlationId: "order-7"), page: PageRequest(limit: 10))
            #expect(byCorrelation.items.map(\.id) == [tagged.id])
            let before = try await subject.store.listRuns(
                tenantId: StoreUnderTest.tenant, filter: RunFilter(createdBefore: subject.now.addingTimeInterval(-5)), page: PageRequest(limit: 10))
            #expect(before.items.map(\.id) == [tagged.id])
            let after = try await subject.store.listRuns(
                tenantId: StoreUnderTest.tenant, filter: RunFilter(createdAfter: subject.now.addingTimeInterval(-5)), page: PageRequest(limit: 10))
            #expect(after.items.map(\.id) == [untagged.id])
            let other = try await subject.store.listRuns(
                tenantId: StoreUnderTest.otherTenant, filter: RunFilter(correlationId: "order-7"), page: PageRequest(limit: 10))
            #expect(other.items.isEmpty)
        }
    }

    @Test func aTimelinePageIsTheTenantsOnly() async throws {
        try await StoreUnderTest.with { subject in
            let run = try await subject.startRun()
            let page = try #require(try await subject.store.runTimeline(tenantId: StoreUnderTest.tenant, runId: run.id, afterId: nil, limit: 100))
            #expect(page.run.id == run.id)
            #expect(page.tasks.isEmpty && !page.hasMore && page.totalTasks == 0 && page.stepsTaken.isEmpty)
            #expect(try await subject.store.runTimeline(tenantId: StoreUnderTest.otherTenant, runId: run.id, afterId: nil, limit: 100) == nil)
        }
    }
}
