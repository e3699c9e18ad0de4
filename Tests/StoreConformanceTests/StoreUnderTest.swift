/// The store conformance suite (issue #17): one suite of tests of the storage boundary's
/// documented contracts, the doc comments of the `CaseworkerStore` protocols (`Store` and its
/// parts, the engine's `EngineStore`, which is made of `RunStore`, `CaseStore`, `DefinitionStore`
/// and `ParameterSetStore`, and the dispatcher's `DeliveryStore` and `DeliveryBacklogStore`).
///
/// Every test takes its store from `StoreUnderTest.make()`, the one factory, and then talks to it
/// through those protocols only: no SQLite type, no SQL, no `@testable` access. The factory builds
/// a migrated `SQLiteStore` on a fresh file in a temporary directory, or, with
/// `CASEWORKER_TEST_STORE=postgres`, a migrated `PostgresStore` on a fresh database of the test
/// run's PostgreSQL (`PostgresTestDatabase`; `scripts/test.sh` runs the suite both ways). That is
/// what "conformance" means here: the suite is the contract every store has to meet, so a store
/// that needs a test changed to pass does not conform.
///
/// Rules the tests keep so that they hold for any store:
/// - Time comes from the fixture's `ManualClock` (the store's clock) and is passed as `now` where
///   a protocol takes it; nothing sleeps, and no assertion depends on the wall clock.
/// - State is observed through reads of the protocols (`findRun`, `runExecution`,
///   `listDeliveries`, ...). An outbox event is observed through its deliveries, so tests that
///   look for events subscribe an endpoint first.
/// - Tenants are created the way the API creates them: with a key (`KeyStore.createKey`).
///
/// The engine's writes are `RunLifecycle` changes (`finishSteps` and `applyDueTimeouts` below
/// make them as the engine does); claims and their leases are tested in
/// `ClaimConformanceTests.swift` and `LeaseConformanceTests.swift`.
import CaseworkerCore
import CaseworkerPostgres
import CaseworkerSQLite
import CaseworkerStore
import CaseworkerTestSupport
import Foundation
import Testing

/// Everything a store of the daemon fills.
typealias ConformingStore = Store & DeliveryBacklogStore

/// A store under test with its clock, two tenants and a case in the first.
struct StoreUnderTest: Sendable {
    /// The tenant the tests act as, and a second one whose view must stay separate.
    static let tenant = "tenant-a"
    static let otherTenant = "tenant-b"
    static let secret = "whsec_" + Data(repeating: 7, count: 32).base64EncodedString()

    let store: any ConformingStore
    /// The store's clock: every timestamp the store writes comes from it.
    let clock: ManualClock
    /// A case of `tenant` that runs are started for.
    let caseId: String
    /// A case of `otherTenant`.
    let otherCaseId: String
    var ids: ULIDGenerator { store.ids }
    /// The lease of the suite's claims, in seconds.
    static let lease: TimeInterval = 6
    /// The store the suite runs against: `CASEWORKER_TEST_STORE` = `sqlite` (the default) or `postgres`.
    static let kind = ProcessInfo.processInfo.environment["CASEWORKER_TEST_STORE"] ?? "sqlite"
    /// Whether the store under test is shared by several processes (`releaseClaimsAtStartup`
    /// then releases nothing): the PostgreSQL store is, the SQLite store is not.
    static let sharedByProcesses = kind == "postgres"
    private let discardStorage: @Sendable () async -> Void

    /// The one factory of the suite: a fresh, migrated, empty store, with `tenant` and
    /// `otherTenant` created (one key each) and one case in each.
    static func make() async throws -> StoreUnderTest {
        let clock = ManualClock()
        let (store, discardStorage) = try await kind == "postgres" ? postgres(clock: clock) : sqlite(clock: clock)
        for tenant in [tenant, otherTenant] {
            _ = try await store.createKey(tenantId: tenant, name: "conformance", scopes: [.admin], secret: .generate())
        }
        let caseId = try await store.createCase(tenantId: tenant, fields: CaseFields(externalId: "crm-1", firstName: "Ada")).id
        let otherCaseId = try await store.createCase(tenantId: otherTenant, fields: CaseFields(firstName: "Bob")).id
        return StoreUnderTest(store: store, clock: clock, caseId: caseId, otherCaseId: otherCaseId, discardStorage: discardStorage)
    }

    private static func sqlite(clock: ManualClock) async throws -> (any ConformingStore, @Sendable () async -> Void) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("caseworker-conformance-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let sqlite = try SQLiteStore(options: .init(path: directory.appendingPathComponent("db.sqlite").path), clock: clock)
        try sqlite.migrate()
        return (sqlite, { try? FileManager.default.removeItem(at: directory) })
    }

    private static func postgres(clock: ManualClock) async throws -> (any ConformingStore, @Sendable () async -> Void) {
        let database = try await PostgresTestDatabase.create()
        let postgres = PostgresStore(options: database.options, clock: clock)
        let serving = Task { await postgres.run() }
        try await postgres.migrate()
        return (postgres, {
            serving.cancel()
            await serving.value
            try? await database.drop()
        })
    }

    /// Runs `body` with a fresh store (`make()`) and discards the store's storage afterwards.
    static func with(_ body: (StoreUnderTest) async throws -> Void) async throws {
        let subject = try await make()
        do {
            try await body(subject)
        } catch {
            await subject.discardStorage()
            throw error
        }
        await subject.discardStorage()
    }

    var now: Date { clock.now }
}

// MARK: - Definitions and runs

extension StoreUnderTest {
    /// Two steps, `a` then `b`; the store does not interpret them (the engine does).
    static func definition(timeout: (seconds: Int, policy: String)? = nil) -> JSONValue {
        var content: [String: JSONValue] = [
            "name": "conformance",
            "steps": [
                ["id": "a", "action": "transform", "config": ["set": ["n": 1]]],
                ["id": "b", "action": "complete"],
            ],
        ]
        if let timeout {
            content["timeoutSeconds"] = .int(timeout.seconds)
            content["timeoutPolicy"] = .string(timeout.policy)
        }
        return .object(content)
    }

    /// Publishes `content` as definition `id` of `tenant` (idempotent for the same content).
    @discardableResult
    func publish(_ id: String = "d", content: JSONValue = StoreUnderTest.definition(), tenant: String = StoreUnderTest.tenant)
        async throws -> DefinitionVersion
    {
        try await store.publish(tenantId: tenant, id: id, content: content, hash: ContentHash.of(content), actor: "ada", channel: nil, overwrite: true)
            .saved
    }

    /// Starts a run of the latest published version of `definitionId` (published with `content`
    /// first), planned as the API plans it.
    func startRun(
        _ definitionId: String = "d", content: JSONValue = StoreUnderTest.definition(), tenant: String = StoreUnderTest.tenant,
        correlationId: String? = nil
    ) async throws -> Run {
        let version = try await publish(definitionId, content: content, tenant: tenant)
        let caseId = tenant == Self.tenant ? self.caseId : otherCaseId
        let caseRecord = try await store.findCase(tenantId: tenant, id: caseId)
        let definition = try WorkflowDefinition(parsing: version.content)
        let start = RunStartContext(caseRecord: caseRecord, caseId: caseId, correlationId: correlationId, now: now)
        let plan = try definition.planRun(values: [:], input: ["amount": 12], start: start)
        return try await store.startRun(
            NewRun(
                id: ids.next(at: now), tenantId: tenant, caseId: caseId, workflowDefinitionId: definitionId, version: version.version,
                versionId: version.versionId, parametersId: nil, input: ["amount": 12], plan: plan, correlationId: correlationId,
                channel: nil))
    }

    /// The engine's claim at the store's current time.
    func claim(_ owner: String = "engine-1", limit: Int = 100) async throws -> [Run] {
        try await store.claimDueRuns(owner: owner, limit: limit, now: now, leaseUntil: now.addingTimeInterval(Self.lease))
    }

    /// Claims exactly `run` for `owner`, or fails the test.
    func claimOne(_ run: Run, owner: String = "engine-1") async throws -> Run {
        let claimed = try await claim(owner)
        return try #require(claimed.first { $0.id == run.id }, "the due run \(run.id) is claimed")
    }

    /// A finished attempt of `run`'s current step followed by `next`, as the engine writes it.
    func completion(
        _ run: Run, stepId: String? = nil, outcome: StepOutcome = .ok, next: StepCompletion.Next, error: RunError? = nil,
        stateChanges: [String: JSONValue] = [:], keepClaim: Bool = false
    ) -> StepCompletion {
        let stepId = stepId ?? run.currentStepId ?? "a"
        let task = RunTask(
            id: ids.next(at: now), runId: run.id, stepId: stepId, name: nil, action: "transform", attempt: run.attempt, outcome: outcome,
            parameters: [:], output: ["step": .string(stepId)], error: nil, parentTaskId: nil, startedAt: now, finishedAt: now)
        return StepCompletion(
            task: task, parentStepId: nil, stateChanges: stateChanges,
            stepResult: ["output": ["step": .string(stepId)], "status": .string(outcome.status.rawValue), "attempt": .int(run.attempt)],
            next: next, error: error, keepClaim: keepClaim)
    }

    /// Writes one completion of `run` for `owner`.
    @discardableResult
    func finish(_ run: Run, owner: String = "engine-1", _ next: StepCompletion.Next, error: RunError? = nil, keepClaim: Bool = false)
        async throws -> Run
    {
        try await finishSteps(run: run, owner: owner, completions: [completion(run, next: next, error: error, keepClaim: keepClaim)])
    }

    /// Starts a run and drives it to `COMPLETED` through the engine's protocol.
    func completedRun(_ definitionId: String = "d", tenant: String = StoreUnderTest.tenant) async throws -> Run {
        let run = try await startRun(definitionId, tenant: tenant)
        let claimed = try await claimOne(run, owner: "engine-done")
        return try await finish(claimed, owner: "engine-done", .complete(result: ["score": 80]))
    }

    /// Starts a run and drives it to `FAILED` at step `a`.
    func failedRun(_ definitionId: String = "d") async throws -> Run {
        let run = try await startRun(definitionId)
        let claimed = try await claimOne(run, owner: "engine-fail")
        let error = RunError(code: "500", message: "the step failed", stepId: "a")
        return try await finishSteps(
            run: claimed, owner: "engine-fail",
            completions: [completion(claimed, outcome: StepOutcome(.ko, code: "500"), next: .end(.failed), error: error)])
    }

    /// The run and its recorded tasks.
    func execution(_ run: Run, tenant: String = StoreUnderTest.tenant) async throws -> (run: Run, tasks: [RunTask]) {
        try #require(try await store.runExecution(tenantId: tenant, runId: run.id))
    }
}

// MARK: - Endpoints and the outbox

extension StoreUnderTest {
    /// An enabled endpoint of `tenant` subscribed to `events` (every type by default).
    @discardableResult
    func endpoint(
        _ name: String = "hook", events: [WebhookEventType] = WebhookEventType.builtIn, definitions: [String]? = nil,
        enabled: Bool = true, tenant: String = StoreUnderTest.tenant
    ) async throws -> WebhookEndpoint {
        try await store.createEndpoint(
            tenantId: tenant,
            fields: WebhookEndpointFields(
                url: "https://\(name).example/hook", events: events, workflowDefinitionIds: definitions, enabled: enabled),
            secret: Self.secret)
    }

    /// Every delivery of `tenant`, newest first.
    func deliveries(tenant: String? = StoreUnderTest.tenant, filter: DeliveryFilter = .init()) async throws -> [WebhookDelivery] {
        try await store.listDeliveries(tenantId: tenant, filter: filter, page: .init(limit: 1000)).items
    }

    /// The events delivered to `endpoint` (one per delivery), oldest first, as the receiver
    /// would read them: `type` and `data`.
    func events(to endpoint: WebhookEndpoint) async throws -> [DeliveredEvent] {
        var events: [DeliveredEvent] = []
        for delivery in try await deliveries(tenant: endpoint.tenantId, filter: .init(endpointId: endpoint.id)).reversed() {
            let detail = try #require(try await store.findDelivery(tenantId: endpoint.tenantId, id: delivery.id))
            let body = try JSONText.decode(detail.body)
            events.append(DeliveredEvent(delivery: delivery, type: body["type"]?.stringValue, data: body["data"] ?? .null))
        }
        return events
    }

    /// The dispatcher's claim at the store's current time, with a 60 s lease.
    func claimDeliveries(
        _ owner: String = "dispatcher-1", limit: Int = 100, perEndpointLimit: Int = 16, inFlight: [String: Int] = [:]
    ) async throws -> [ClaimedDelivery] {
        try await store.claimDueDeliveries(
            limit: limit, perEndpointLimit: perEndpointLimit, inFlight: inFlight, leaseOwner: owner, leaseDuration: .seconds(60), now: now)
    }

    /// Records an attempt of `claimed` as the dispatcher does.
    func record(
        _ claimed: ClaimedDelivery, owner: String = "dispatcher-1", status: Int?, _ resolution: DeliveryResolution,
        disableAfter: TimeInterval = 5 * 86_400
    ) async throws -> RecordedAttempt? {
        let at = now
        return try await store.recordAttempt(
            deliveryId: claimed.id, leaseOwner: owner,
            attempt: DeliveryAttempt(
                attempt: claimed.attempt, at: at, responseStatus: status, durationMs: 3, responseBody: "ok",
                error: status == nil ? "timeout" : nil),
            resolution: resolution, shouldDisableEndpoint: { at.timeIntervalSince($0) >= disableAfter })
    }
}

/// One event as a receiver sees it, with the delivery that carries it.
struct DeliveredEvent: Sendable {
    var delivery: WebhookDelivery
    var type: String?
    var data: JSONValue
    var runId: String? { data["id"]?.stringValue }
}

/// Whether `body` throws `StoreError.conflict` (whatever its message).
func expectConflict<T>(
    _ what: Comment, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T
) async {
    do {
        _ = try await body()
        Issue.record("expected StoreError.conflict: \(what)", sourceLocation: sourceLocation)
    } catch StoreError.conflict {
    } catch {
        Issue.record("expected StoreError.conflict, got \(error): \(what)", sourceLocation: sourceLocation)
    }
}

// MARK: - The engine's changes

extension StoreUnderTest {
    /// The time and ids of a change the engine decides, at the store's time.
    var context: LifecycleContext {
        let (ids, clock) = (self.ids, self.clock)
        return LifecycleContext(now: clock.now, newId: { ids.next(at: clock.now) })
    }

    /// Commits `completions` of the claimed `run` for `owner`, as the engine does
    /// (`RunLifecycle.stepsFinished`, then `commit`).
    @discardableResult
    func finishSteps(run: Run, owner: String, completions: [StepCompletion]) async throws -> Run {
        let context = self.context
        return try await store.commit(RunLifecycle.stepsFinished(run, completions, context: context), owner: owner, context: context)
    }

    /// A workflow timeout applied, as the engine's round reports it.
    struct TimeoutApplied {
        var run: Run
        var policy: WorkflowDefinition.TimeoutPolicy
    }

    /// Applies the workflow timeouts due at `now` as the engine does (`dueTimeouts`, then
    /// `RunLifecycle.timeoutDue` on each in `changeRun`), the store's clock moved to `now` first.
    func applyDueTimeouts(now: Date, limit: Int) async throws -> [TimeoutApplied] {
        if now > clock.now { clock.advance(by: now.timeIntervalSince(clock.now)) }
        var applied: [TimeoutApplied] = []
        for due in try await store.dueTimeouts(now: now, limit: limit) {
            guard
                let (run, change) = try await store.changeRun(tenantId: due.tenantId, id: due.id, { run, context in
                    RunLifecycle.timeoutDue(run, context: context)
                }), change != nil, let policy = due.timeout?.policy
            else { continue }
            applied.append(TimeoutApplied(run: run, policy: policy))
        }
        return applied
    }
}

