import CaseworkerCore
import CaseworkerPostgres
import CaseworkerSQLite
import CaseworkerStore
import CaseworkerTestSupport
import Foundation
import Logging
import Testing

@testable import CaseworkerServer

/// A migrated PostgreSQL store on a fresh database of the test run's server, serving for `body`.
func withPostgresStore(
    clock: any WallClock = SystemClock(), _ body: @Sendable (PostgresStore, PostgresTestDatabase) async throws -> Void
) async throws {
    let database = try await PostgresTestDatabase.create()
    let store = PostgresStore(options: database.options, clock: clock)
    do {
        try await store.withRunning {
            try await store.migrate()
            try await body(store, database)
        }
    } catch {
        try? await database.drop()
        throw error
    }
    try await database.drop()
}

/// The maintenance lease (`MaintenanceStore.takeMaintenanceLease`) on both stores, and the
/// retention round it gates.
@Suite struct MaintenanceLeaseTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func onSQLiteTheLeaseIsAlwaysHeld() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("caseworker-lease-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(options: .init(path: directory.appendingPathComponent("db.sqlite").path))
        try store.migrate()
        #expect(try await store.takeMaintenanceLease(name: "retention", owner: "a", now: t0, until: t0 + 60))
        #expect(try await store.takeMaintenanceLease(name: "retention", owner: "b", now: t0, until: t0 + 60))
        try await store.releaseMaintenanceLease(name: "retention", owner: "a")
    }

    @Test(.enabled(if: PostgresTestDatabase.serverURL != nil, "\(PostgresTestDatabase.skipMessage)"))
    func onPostgreSQLOneOwnerHoldsItUntilItExpiresOrIsReleased() async throws {
        let t0 = self.t0
        try await withPostgresStore { store, _ in
            #expect(try await store.takeMaintenanceLease(name: "retention", owner: "a", now: t0, until: t0 + 60))
            #expect(try await !store.takeMaintenanceLease(name: "retention", owner: "b", now: t0 + 30, until: t0 + 90), "held by a")
            #expect(try await store.takeMaintenanceLease(name: "other", owner: "b", now: t0 + 30, until: t0 + 90), "leases are per name")
            #expect(try await store.takeMaintenanceLease(name: "retention", owner: "a", now: t0 + 50, until: t0 + 110), "renewed")
            #expect(try await !store.takeMaintenanceLease(name: "retention", owner: "b", now: t0 + 100, until: t0 + 160), "the renewal holds")
            #expect(try await store.takeMaintenanceLease(name: "retention", owner: "b", now: t0 + 111, until: t0 + 171), "expired: taken over")
            #expect(try await !store.takeMaintenanceLease(name: "retention", owner: "a", now: t0 + 112, until: t0 + 172), "a lost it")
            try await store.releaseMaintenanceLease(name: "retention", owner: "a")  // not a's: nothing happens
            #expect(try await !store.takeMaintenanceLease(name: "retention", owner: "a", now: t0 + 113, until: t0 + 173))
            try await store.releaseMaintenanceLease(name: "retention", owner: "b")
            #expect(try await store.takeMaintenanceLease(name: "retention", owner: "a", now: t0 + 114, until: t0 + 174), "released: free at once")
        }
    }

    @Test(.enabled(if: PostgresTestDatabase.serverURL != nil, "\(PostgresTestDatabase.skipMessage)"))
    func ofInstancesRacingForAFreeLeaseExactlyOneGetsIt() async throws {
        let t0 = self.t0
        try await withPostgresStore { store, _ in
            for round in 0..<5 {
                let now = t0 + Double(round * 100)
                let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
                    for owner in 0..<8 {
                        group.addTask { try await store.takeMaintenanceLease(name: "retention", owner: "i\(owner)", now: now, until: now + 60) }
                    }
                    return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
                }
                #expect(winners == 1, "round \(round): the previous lease has expired, one instance takes it")
            }
        }
    }

    @Test(.enabled(if: PostgresTestDatabase.serverURL != nil, "\(PostgresTestDatabase.skipMessage)"))
    func onlyTheLeaseHolderPurges() async throws {
        let clock = ManualClock()
        try await withPostgresStore(clock: clock) { store, database in
            let old = clock.now.addingTimeInterval(-10 * 86_400)
            let fixture = PurgeFixture(database: database)
            try await fixture.tenantAndDefinition()
            try await fixture.run(ULIDGenerator().next(at: old), status: "COMPLETED", finishedAt: old)
            let retention = CaseworkerConfig.Retention(finishedRuns: .seconds(86_400), deliveredEvents: .zero)
            let logger = Logger(label: "test")
            let a = RetentionService(store: store, retention: retention, clock: clock, logger: logger, owner: "a")
            let b = RetentionService(store: store, retention: retention, clock: clock, logger: logger, owner: "b")
            // a holds the lease (as if it had purged before); b's round does nothing.
            #expect(try await store.takeMaintenanceLease(name: RetentionService.leaseName, owner: "a", now: clock.now, until: clock.now + 60))
            await b.round()
            #expect(try await fixture.count("runs") == 1)
            await a.round()
            #expect(try await fixture.count("runs") == 0)
        }
    }
}

/// Rows written straight into a PostgreSQL test database, for the purge (which must not depend
/// on the other store methods).
struct PurgeFixture: Sendable {
    let database: PostgresTestDatabase

    func execute(_ sql: String) async throws { _ = try await database.query(sql) }

    func count(_ table: String, where condition: String = "TRUE") async throws -> Int {
        try await database.query("SELECT count(*) FROM \(table) WHERE \(condition)").first!.decode(Int.self)
    }

    func tenantAndDefinition() async throws {
        try await execute("INSERT INTO tenants (id, created_at) VALUES ('t', 0)")
        try await execute("INSERT INTO cases (id, tenant_id, created_at, updated_at) VALUES ('c', 't', 0, 0)")
        try await execute("INSERT INTO workflow_definitions (tenant_id, id, created_at) VALUES ('t', 'wf', 0)")
        try await execute(
            """
            INSERT INTO workflow_definition_versions
                (version_id, tenant_id, definition_id, version, content, hash, created_at, created_by, updated_at, updated_by)
            VALUES ('v1', 't', 'wf', 1, '{}', '0123456789abcdef', 0, 'test', 0, 'test')
            """)
        try await execute(
            """
            INSERT INTO webhook_endpoints (id, tenant_id, url, events, secret, created_at, updated_at)
            VALUES ('e', 't', 'https://example.com/hook', '["workflow.completed"]', 'whsec_dGVzdA==', 0, 0)
            """)
    }

    /// A run; `finishedAt` nil leaves it `RUNNING` (or as `extra` columns say).
    func run(_ id: String, status: String, finishedAt: Date?, extra: [String: String] = [:]) async throws {
        var columns: [String: String] = [
            "id": "'\(id)'", "tenant_id": "'t'", "case_id": "'c'", "workflow_definition_id": "'wf'", "version": "1",
            "version_id": "'v1'", "status": "'\(status)'", "input": "'{}'", "params": "'{}'", "state": "'{}'",
            "step_results": "'{}'", "created_at": "0", "updated_at": "0", "started_at": "0",
            "finished_at": finishedAt.map { "\(Timestamp.millis($0))" } ?? "NULL",
        ]
        columns.merge(extra) { _, new in new }
        try await execute("INSERT INTO runs (\(columns.keys.joined(separator: ", "))) VALUES (\(columns.values.joined(separator: ", ")))")
    }

    func event(_ id: String, at date: Date, deliveryStatus: String) async throws {
        try await execute(
            "INSERT INTO webhook_events (id, tenant_id, type, body, created_at) VALUES ('\(id)', 't', 'workflow.completed', '{}', \(Timestamp.millis(date)))")
        let pending = deliveryStatus == "PENDING"
        try await execute(
            """
            INSERT INTO webhook_deliveries (id, tenant_id, event_id, endpoint_id, status, attempt_count, next_attempt_at, created_at, updated_at)
            VALUES ('d_\(id)', 't', '\(id)', 'e', '\(deliveryStatus)', \(pending ? 0 : 1), \(pending ? "0" : "NULL"), 0, 0)
            """)
        if !pending {
            try await execute(
                "INSERT INTO webhook_delivery_attempts (delivery_id, attempt, at, response_status, duration_ms) VALUES ('d_\(id)', 1, 0, 200, 5)")
        }
    }
}

/// `PostgresStore.purge` removes what `SQLiteStore.purge` removes, and nothing else.
@Suite(.enabled(if: PostgresTestDatabase.serverURL != nil, "\(PostgresTestDatabase.skipMessage)"))
struct PostgresPurgeTests {
    @Test func removesOldFinishedRunsAndDeliveredEventsOnly() async throws {
        let clock = ManualClock()
        try await withPostgresStore(clock: clock) { store, database in
            let fixture = PurgeFixture(database: database)
            try await fixture.tenantAndDefinition()
            // A fresh generator per id: one generator keeps its ids in order, so an id made after
            // a recent one would sort after the cutoff.
            func id(_ date: Date) -> String { ULIDGenerator().next(at: date) }
            let (old, recent) = (clock.now.addingTimeInterval(-10 * 86_400), clock.now.addingTimeInterval(-3600))
            let finished = id(old)
            try await fixture.run(finished, status: "COMPLETED", finishedAt: old)
            try await fixture.execute(
                """
                INSERT INTO run_tasks (id, run_id, step_id, action, attempt, status, parameters, output, started_at, finished_at)
                VALUES ('task1', '\(finished)', 's', 'transform', 1, 'OK', '{}', '{}', 0, 0)
                """)
            try await fixture.execute(
                "INSERT INTO run_signals (id, tenant_id, run_id, name, payload, created_at) VALUES ('sig1', 't', '\(finished)', 'go', '{}', 0)")
            try await fixture.run(id(old), status: "RUNNING", finishedAt: nil)
            try await fixture.run(id(recent), status: "FAILED", finishedAt: recent)
            // A finished branch run whose parent still waits stays.
            let parent = id(old)
            try await fixture.run(parent, status: "WAITING", finishedAt: nil, extra: ["waiting_since": "0", "wait_signal": "'@branches'"])
            try await fixture.run(
                id(old), status: "COMPLETED", finishedAt: old,
                extra: [
                    "parent_run_id": "'\(parent)'", "depth": "1", "branch_step_id": "'p'", "branch_id": "'b1'", "branch_group": "'g1'",
                    "branch_join": "'all'",
                ])
            try await fixture.event("msg_" + id(old), at: old, deliveryStatus: "SUCCEEDED")
            try await fixture.event("msg_" + id(old), at: old, deliveryStatus: "PENDING")
            try await fixture.event("msg_" + id(recent), at: recent, deliveryStatus: "FAILED")
            try await fixture.execute(
                """
                INSERT INTO idempotency_keys (tenant_id, key, request_hash, state, locked_until, created_at, expires_at) VALUES
                    ('t', 'expired', '\(String(repeating: "a", count: 64))', 'IN_FLIGHT', 0, 0, 1),
                    ('t', 'live', '\(String(repeating: "b", count: 64))', 'IN_FLIGHT', 0, 0, \(Timestamp.millis(clock.now) + 86_400_000))
                """)

            let day = clock.now.addingTimeInterval(-86_400)
            #expect(try await store.purge(runsFinishedBefore: day, eventsBefore: day) == PurgeCounts(runs: 1, events: 1))
            #expect(try await fixture.count("runs", where: "id = '\(finished)'") == 0)
            #expect(try await fixture.count("runs") == 4)
            #expect(try await fixture.count("run_tasks") == 0)
            #expect(try await fixture.count("run_signals") == 0)
            #expect(try await fixture.count("webhook_events") == 2)
            #expect(try await fixture.count("webhook_deliveries") == 2, "the purged event's delivery goes with it")
            #expect(try await fixture.count("webhook_delivery_attempts") == 1)
            #expect(try await fixture.count("idempotency_keys") == 1)

            #expect(try await store.purge(runsFinishedBefore: day, eventsBefore: day) == PurgeCounts(runs: 0, events: 0))
            #expect(try await store.purge(runsFinishedBefore: nil, eventsBefore: nil) == PurgeCounts(runs: 0, events: 0))
        }
    }

    @Test func purgesMoreThanOneBatch() async throws {
        let clock = ManualClock()
        try await withPostgresStore(clock: clock) { store, database in
            let fixture = PurgeFixture(database: database)
            try await fixture.tenantAndDefinition()
            let old = clock.now.addingTimeInterval(-10 * 86_400)
            let ids = ULIDGenerator()
            let count = 1007  // more than two batches of 500
            let values = (0..<count).map { _ in
                "('\(ids.next(at: old))', 't', 'c', 'wf', 1, 'v1', 'COMPLETED', '{}', '{}', '{}', '{}', 0, 0, 0, \(Timestamp.millis(old)))"
            }
            try await fixture.execute(
                """
                INSERT INTO runs (id, tenant_id, case_id, workflow_definition_id, version, version_id, status, input, params, state,
                    step_results, created_at, updated_at, started_at, finished_at)
                VALUES \(values.joined(separator: ", "))
                """)
            #expect(try await store.purge(runsFinishedBefore: clock.now, eventsBefore: nil) == PurgeCounts(runs: count, events: 0))
            #expect(try await fixture.count("runs") == 0)
        }
    }
}
