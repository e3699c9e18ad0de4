import CaseworkerCore
import CaseworkerStore
import Foundation
import Testing

/// Tenancy (`Store`): another tenant's id behaves like an unknown id on every read and write,
/// and the owner's data is unchanged afterwards.
@Suite struct TenancyConformanceTests {
    @Test func anotherTenantsRunIsUnknownToEveryRunMethod() async throws {
        try await StoreUnderTest.with { s in
            let failed = try await s.failedRun()
            let run = try await s.startRun()  // after: failedRun's claim takes every due run
            let b = StoreUnderTest.otherTenant
            let found = try await s.store.findRun(tenantId: b, id: run.id)
            let execution = try await s.store.runExecution(tenantId: b, runId: run.id)
            let listed = try await s.store.listRuns(tenantId: b, filter: .init(), page: .init(limit: 10)).items
            let cancelled = try await s.store.cancelRun(tenantId: b, id: run.id)
            let signalled = try await s.store.signalRun(tenantId: b, id: run.id, name: "go", payload: nil)
            #expect(found == nil && execution == nil && listed.isEmpty && cancelled == nil && signalled == nil)
            let retried = try await s.store.retryRun(tenantId: b, id: failed.id, fromStepId: "a")
            #expect(retried == nil)
            let stillPending = try await s.store.findRun(tenantId: StoreUnderTest.tenant, id: run.id)
            let stillFailed = try await s.store.findRun(tenantId: StoreUnderTest.tenant, id: failed.id)
            #expect(stillPending?.status == .pending && stillFailed?.status == .failed)
        }
    }

    @Test func anotherTenantsCasesDefinitionsAndEndpointsAreUnknown() async throws {
        try await StoreUnderTest.with { s in
            let b = StoreUnderTest.otherTenant
            let caseRecord = try await s.store.findCase(tenantId: StoreUnderTest.tenant, id: s.caseId)
            let foundCase = try await s.store.findCase(tenantId: b, id: s.caseId)
            let updatedCase = try await s.store.updateCase(tenantId: b, id: s.caseId) { _ in CaseFields() }
            let erasedCase = try await s.store.eraseCase(tenantId: b, id: s.caseId)
            let listedCases = try await s.store.listCases(tenantId: b, externalId: "crm-1", page: .init(limit: 10)).items
            #expect(foundCase == nil && updatedCase == nil && erasedCase == nil && listedCases.isEmpty)
            let unchangedCase = try await s.store.findCase(tenantId: StoreUnderTest.tenant, id: s.caseId)
            #expect(unchangedCase == caseRecord)

            try await s.publish("d")
            let definition = try await s.store.findDefinition(tenantId: b, id: "d", selector: .current)
            let runnable = try await s.store.findRunnableVersion(tenantId: b, id: "d", number: nil)
            let versions = try await s.store.listVersions(tenantId: b, id: "d", page: .init(limit: 10))
            let disabled = try await s.store.setDisabled(tenantId: b, id: "d", disabled: true, actor: "mallory")
            let draftDeleted = try await s.store.deleteDraft(tenantId: b, id: "d")
            let definitions = try await s.store.listDefinitions(tenantId: b, tag: nil, page: .init(limit: 10)).items
            #expect(definition == nil && runnable == nil && versions == nil && disabled == nil && draftDeleted == nil && definitions.isEmpty)
            let ours = try await s.store.findRunnableVersion(tenantId: StoreUnderTest.tenant, id: "d", number: nil)
            #expect(ours?.disabled == false)
            let theirs = try await s.publish("d", tenant: b)
            #expect(theirs.version == 1, "the same definition id is another tenant's own")

            let endpoint = try await s.endpoint()
            let foundEndpoint = try await s.store.findEndpoint(tenantId: b, id: endpoint.id)
            let updatedEndpoint = try await s.store.updateEndpoint(tenantId: b, id: endpoint.id) { $0.fields }
            let rotated = try await s.store.rotateSecret(tenantId: b, id: endpoint.id, newSecret: StoreUnderTest.secret, grace: .zero)
            let deleted = try await s.store.deleteEndpoint(tenantId: b, id: endpoint.id)
            let endpoints = try await s.store.listEndpoints(tenantId: b, page: .init(limit: 10)).items
            #expect(foundEndpoint == nil && updatedEndpoint == nil && rotated == nil && !deleted && endpoints.isEmpty)
            let ourEndpoint = try await s.store.findEndpoint(tenantId: StoreUnderTest.tenant, id: endpoint.id)
            #expect(ourEndpoint == endpoint)
        }
    }

    @Test func anotherTenantsDeliveriesAreUnknownAndTheOperatorSeesAll() async throws {
        try await StoreUnderTest.with { s in
            let b = StoreUnderTest.otherTenant
            let endpoint = try await s.endpoint()
            _ = try await s.failedRun()
            let delivery = try #require(try await s.deliveries().first)
            let listed = try await s.deliveries(tenant: b)
            let found = try await s.store.findDelivery(tenantId: b, id: delivery.id)
            let redelivered = try await s.store.redeliver(tenantId: b, id: delivery.id)
            let redeliveredAll = try await s.store.redeliver(tenantId: b, endpointId: endpoint.id, since: .distantPast)
            #expect(listed.isEmpty && found == nil && redelivered == nil && redeliveredAll == nil)
            let operatorView = try await s.deliveries(tenant: nil)
            let operatorFind = try await s.store.findDelivery(tenantId: nil, id: delivery.id)
            #expect(operatorView.map(\.id) == [delivery.id] && operatorFind?.delivery.id == delivery.id)
        }
    }
}

/// `IdempotencyStore`: a key is claimed once per tenant; a retry of the same request waits
/// (in flight) or replays the stored response; a different request with the key is a mismatch;
/// an abandoned, expired or dead claim lets the key be used again.
@Suite struct IdempotencyConformanceTests {
    @Test func aKeyIsClaimedOnceThenReplayed() async throws {
        try await StoreUnderTest.with { s in
            let a = StoreUnderTest.tenant
            func begin(_ tenant: String = StoreUnderTest.tenant, hash: String = String(repeating: "1", count: 64)) async throws -> IdempotencyBegin {
                try await s.store.beginIdempotentRequest(
                    tenantId: tenant, key: "k", requestHash: hash, now: s.now, lockedUntil: s.now.addingTimeInterval(60),
                    expiresAt: s.now.addingTimeInterval(86_400))
            }
            #expect(try await begin() == .started)
            #expect(try await begin() == .inFlight)
            #expect(try await begin(hash: String(repeating: "2", count: 64)) == .mismatch)
            #expect(try await begin(StoreUnderTest.otherTenant) == .started, "keys are per tenant")
            let response = StoredResponse(status: 201, headers: ["Content-Type": "application/json"], body: Array("{}".utf8))
            try await s.store.completeIdempotentRequest(tenantId: a, key: "k", response: response)
            guard case .replay(let replayed) = try await begin() else {
                Issue.record("a completed key replays")
                return
            }
            #expect(replayed.status == 201 && replayed.headers == response.headers && replayed.body == response.body)
            #expect(try await begin(hash: String(repeating: "2", count: 64)) == .mismatch)
            #expect(try await begin(StoreUnderTest.otherTenant) == .inFlight, "the other tenant's claim is untouched")
            s.clock.advance(by: 86_400)
            #expect(try await begin(hash: String(repeating: "2", count: 64)) == .started, "an expired key is free again")
        }
    }

    @Test func anAbandonedOrDeadClaimFreesTheKey() async throws {
        try await StoreUnderTest.with { s in
            func begin(_ key: String) async throws -> IdempotencyBegin {
                try await s.store.beginIdempotentRequest(
                    tenantId: StoreUnderTest.tenant, key: key, requestHash: String(repeating: "3", count: 64), now: s.now, lockedUntil: s.now.addingTimeInterval(60),
                    expiresAt: s.now.addingTimeInterval(86_400))
            }
            #expect(try await begin("abandoned") == .started)
            try await s.store.abandonIdempotentRequest(tenantId: StoreUnderTest.tenant, key: "abandoned")
            #expect(try await begin("abandoned") == .started)
            #expect(try await begin("dead") == .started)
            s.clock.advance(by: 59)
            #expect(try await begin("dead") == .inFlight)
            s.clock.advance(by: 1)
            #expect(try await begin("dead") == .started, "a claim past lockedUntil is taken over")
        }
    }
}

/// Pagination: lists are newest first, `beforeId` continues after the last item, `hasMore` says
/// whether another page exists (also when the last page is exactly full).
@Suite struct PaginationConformanceTests {
    @Test func runsCasesAndEndpointsPageNewestFirst() async throws {
        try await StoreUnderTest.with { s in
            var runs: [String] = []
            var cases: [String] = [s.caseId]
            var endpoints: [String] = []
            for index in 0..<6 {
                runs.append(try await s.startRun().id)
                cases.append(try await s.store.createCase(tenantId: StoreUnderTest.tenant, fields: CaseFields(firstName: "C\(index)")).id)
                endpoints.append(try await s.endpoint("e\(index)").id)
            }
            let runPages = try await pages(limit: 3) { try await s.store.listRuns(tenantId: StoreUnderTest.tenant, filter: .init(), page: $0) }
            #expect(runPages.ids == runs.reversed() && runPages.hasMore == [true, false])
            let casePages = try await pages(limit: 4) {
                try await s.store.listCases(tenantId: StoreUnderTest.tenant, externalId: nil, page: $0)
            }
            #expect(casePages.ids == cases.reversed() && casePages.hasMore == [true, false])
            let endpointPages = try await pages(limit: 5) { try await s.store.listEndpoints(tenantId: StoreUnderTest.tenant, page: $0) }
            #expect(endpointPages.ids == endpoints.reversed() && endpointPages.hasMore == [true, false])
            let all = try await s.store.listRuns(tenantId: StoreUnderTest.tenant, filter: .init(), page: .init(limit: 6))
            #expect(all.items.count == 6 && !all.hasMore, "an exactly full last page has no more")
            let pending = try await s.store.listRuns(tenantId: StoreUnderTest.tenant, filter: .init(status: .completed), page: .init(limit: 6))
            #expect(pending.items.isEmpty && !pending.hasMore)
        }
    }

    @Test func deliveriesAndVersionsPageNewestFirst() async throws {
        try await StoreUnderTest.with { s in
            _ = try await s.endpoint()
            var runs: [String] = []
            for _ in 0..<5 { runs.append(try await s.completedRun().id) }
            let deliveryPages = try await pages(limit: 2) {
                try await s.store.listDeliveries(tenantId: StoreUnderTest.tenant, filter: .init(), page: $0)
            }
            #expect(deliveryPages.hasMore == [true, true, false] && deliveryPages.ids.count == 5)
            #expect(deliveryPages.ids == deliveryPages.ids.sorted(by: >))
            for index in 2...4 { try await s.publish("d", content: ["name": .string("v\(index)"), "steps": [["id": "a", "action": "complete"]]]) }
            let first = try #require(try await s.store.listVersions(tenantId: StoreUnderTest.tenant, id: "d", page: .init(limit: 2)))
            #expect(first.items.map(\.version) == [4, 3] && first.hasMore)
            let rest = try #require(try await s.store.listVersions(tenantId: StoreUnderTest.tenant, id: "d", page: .init(limit: 2, beforeId: "3")))
            #expect(rest.items.map(\.version) == [2, 1] && !rest.hasMore)
        }
    }

    struct Pages {
        var ids: [String] = []
        var hasMore: [Bool] = []
    }

    func pages<Item: Sendable & Identifiable>(limit: Int, _ list: (PageRequest) async throws -> Page<Item>) async throws -> Pages
    where Item.ID == String {
        var result = Pages()
        var request = PageRequest(limit: limit)
        for _ in 0..<20 {
            let page = try await list(request)
            result.ids += page.items.map(\.id)
            result.hasMore.append(page.hasMore)
            guard page.hasMore, let last = page.items.last else { break }
            request.beforeId = last.id
        }
        return result
    }
}

extension Run: Identifiable {}
extension Case: Identifiable {}
extension WebhookEndpoint: Identifiable {}
extension WebhookDelivery: Identifiable {}

/// The dispatcher's `DeliveryStore`: a leased delivery is not claimed again until its lease
/// expires; an attempt is recorded only by the lease's owner; the start-up rescue frees every
/// lease.
@Suite struct DeliveryLeaseConformanceTests {
    @Test func aLeasedDeliveryIsExclusiveUntilItsLeaseExpires() async throws {
        try await StoreUnderTest.with { s in
            let endpoint = try await s.endpoint()
            let run = try await s.completedRun()
            let claimed = try #require(try await s.claimDeliveries("dispatcher-1").first)
            #expect(claimed.endpointId == endpoint.id && claimed.attempt == 1 && claimed.leaseExpiresAt == s.now.addingTimeInterval(60))
            #expect(claimed.secrets == [StoreUnderTest.secret] && claimed.url == endpoint.fields.url)
            #expect(try JSONText.decode(claimed.body)["data"]?["id"] == .string(run.id))
            #expect(try await s.claimDeliveries("dispatcher-2").isEmpty)
            s.clock.advance(by: 59.999)
            #expect(try await s.claimDeliveries("dispatcher-2").isEmpty)
            s.clock.advance(by: 0.001)
            let again = try #require(try await s.claimDeliveries("dispatcher-2").first)
            #expect(again.id == claimed.id && again.eventId == claimed.eventId && again.attempt == 1)
            let late = try await s.record(claimed, owner: "dispatcher-1", status: 200, .succeeded)
            #expect(late == nil, "the expired lease's owner records nothing")
            #expect(try await s.record(again, owner: "dispatcher-2", status: 200, .succeeded)?.status == .succeeded)
            let detail = try #require(try await s.store.findDelivery(tenantId: StoreUnderTest.tenant, id: claimed.id))
            #expect(detail.attempts.count == 1 && detail.delivery.status == .succeeded)
        }
    }

    @Test func aRetryIsDueAtItsTimeAndTheBacklogCountsIt() async throws {
        try await StoreUnderTest.with { s in
            _ = try await s.endpoint()
            _ = try await s.completedRun()
            let created = s.now
            var backlog = try await s.store.deliveryBacklog()
            #expect(backlog == DeliveryBacklog(pending: 1, oldestCreatedAt: created))
            let first = try #require(try await s.claimDeliveries().first)
            backlog = try await s.store.deliveryBacklog()
            #expect(backlog.pending == 1, "an attempt in flight is still pending")
            #expect(try await s.record(first, status: 500, .retry(at: s.now.addingTimeInterval(5)))?.status == .pending)
            s.clock.advance(by: 4.999)
            #expect(try await s.claimDeliveries().isEmpty)
            s.clock.advance(by: 0.001)
            let second = try #require(try await s.claimDeliveries().first)
            #expect(second.attempt == 2)
            #expect(try await s.record(second, status: nil, .exhausted)?.status == .failed)
            backlog = try await s.store.deliveryBacklog()
            #expect(backlog == DeliveryBacklog(pending: 0, oldestCreatedAt: nil))
        }
    }

    @Test func perEndpointLimitsAndDisabledEndpointsBoundAClaim() async throws {
        try await StoreUnderTest.with { s in
            let endpoint = try await s.endpoint()
            for _ in 0..<3 { _ = try await s.completedRun() }
            #expect(try await s.claimDeliveries(perEndpointLimit: 2, inFlight: [endpoint.id: 1]).count == 1)
            #expect(try await s.claimDeliveries(perEndpointLimit: 2).count == 2)
            let off = try await s.endpoint("off")
            _ = try await s.completedRun()
            _ = try await s.store.updateEndpoint(tenantId: StoreUnderTest.tenant, id: off.id) { current in
                var fields = current.fields
                fields.enabled = false
                return fields
            }
            let offDeliveries = try await s.deliveries(filter: .init(endpointId: off.id))
            #expect(offDeliveries.map(\.status) == [.failed], "disabling fails its pending deliveries")
            #expect(try await s.claimDeliveries().allSatisfy { $0.endpointId == endpoint.id })
        }
    }

    @Test func releasingAbandonedLeasesMakesThemClaimableAtOnce() async throws {
        try await StoreUnderTest.with { s in
            _ = try await s.endpoint()
            _ = try await s.completedRun()
            _ = try await s.completedRun()
            #expect(try await s.claimDeliveries("dead").count == 2)
            #expect(try await s.store.releaseAbandonedLeases(now: s.now) == 2)
            #expect(try await s.claimDeliveries("alive").count == 2)
            #expect(try await s.store.releaseAbandonedLeases(now: s.now) == 2)
            #expect(try await s.store.releaseAbandonedLeases(now: s.now) == 0)
        }
    }

    @Test func aRedeliveryIsANewPendingDeliveryOfTheSameEvent() async throws {
        try await StoreUnderTest.with { s in
            _ = try await s.endpoint()
            _ = try await s.completedRun()
            let claimed = try #require(try await s.claimDeliveries().first)
            _ = try await s.record(claimed, status: 500, .exhausted)
            let redelivered = try #require(try await s.store.redeliver(tenantId: StoreUnderTest.tenant, id: claimed.id))
            #expect(redelivered.id != claimed.id && redelivered.eventId == claimed.eventId && redelivered.status == .pending)
            await expectConflict("the event is already pending for the endpoint") {
                try await s.store.redeliver(tenantId: StoreUnderTest.tenant, id: claimed.id)
            }
            let unknown = try await s.store.redeliver(tenantId: StoreUnderTest.tenant, id: s.ids.next(at: s.now))
            #expect(unknown == nil)
        }
    }
}
