import CaseworkerAPI
import CaseworkerCore
import CaseworkerEngine
import CaseworkerServer
import CaseworkerSQLite
import CaseworkerTestSupport
import CaseworkerWebhooks
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Prometheus
import Testing

/// `/metrics` of the daemon's application, in process: the real router, store, engine and
/// backlog sampler, recording into a registry of the test's own (never the global bootstrap).
@Suite struct MetricsTests {
    /// A migrated store in a fresh directory, an admin key, and every component recording into
    /// one `MetricsBackend`.
    struct Instance {
        let directory: URL
        let backend = MetricsBackend(registry: PrometheusCollectorRegistry())
        let store: SQLiteStore
        let key: String

        init() async throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("caseworker-metrics-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            store = try SQLiteStore(
                options: .init(path: directory.appendingPathComponent("test.sqlite").path), metricsFactory: backend.factory)
            try store.migrate()
            let secret = APIKeySecret.generate()
            _ = try await store.createKey(tenantId: "acme", name: "metrics", scopes: [.admin], secret: secret)
            key = secret.text
        }

        /// Runs `body` against the daemon's application (router mode), with the engine and the
        /// backlog sampler running as its services.
        func test(config: CaseworkerConfig = .init(), _ body: @Sendable (Client) async throws -> Void) async throws {
            var logger = Logger(label: "caseworker-test")
            logger.logLevel = .warning
            let httpClient = HTTPRequestAction.makeClient()
            let engine = RunEngine(
                store: store, actions: .standard(http: HTTPRequestAction(client: httpClient)),
                metrics: EngineMetrics(factory: backend.factory), logger: logger)
            let sampler = DeliveryBacklogSampler(
                store: store, metrics: DeliveryMetrics(factory: backend.factory), interval: .milliseconds(100), logger: logger)
            let app = Daemon.makeApplication(store: store, config: config, metrics: backend, services: [engine, sampler], logger: logger)
            do {
                try await app.test(.router) { client in try await body(Client(client: client, key: key)) }
            } catch {
                try? await httpClient.shutdown()
                throw error
            }
            try await httpClient.shutdown()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    struct Client: Sendable {
        let client: any TestClientProtocol
        let key: String

        func send(_ method: HTTPRequest.Method, _ uri: String, json: JSONValue? = nil, authenticated: Bool = true) async throws -> (
            HTTPResponse.Status, HTTPFields, String
        ) {
            let reply = try await TestJSONClient(client).send(method, uri, key: authenticated ? key : nil, json: json)
            return (reply.status, reply.headers, reply.text)
        }

        func metrics() async throws -> ExpositionSamples {
            let (status, headers, text) = try await send(.get, "/metrics", authenticated: false)
            #expect(status == .ok)
            #expect(headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            return ExpositionSamples(text)
        }

        /// Scrapes until `condition` holds (the engine and the sampler work beside the requests),
        /// for at most 30 s.
        func metrics(until condition: (ExpositionSamples) -> Bool) async throws -> ExpositionSamples {
            let deadline = ContinuousClock.now + .seconds(30)
            while true {
                let samples = try await metrics()
                if condition(samples) { return samples }
                guard ContinuousClock.now < deadline else {
                    Issue.record("the metrics did not reach the expected state within 30 s")
                    return samples
                }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    static let definition: JSONValue = [
        "name": "metrics", "isDraft": false,
        "steps": [
            ["id": "note", "action": "transform", "config": ["set": ["seen": true]]],
            ["id": "done", "action": "complete", "config": ["result": ["ok": true]]],
        ],
    ]

    @Test func requestsARunAndTheStoreShowInTheExposition() async throws {
        let instance = try await Instance()
        try await instance.test { client in
            #expect(try await client.send(.get, "/healthz", authenticated: false).0 == .ok)
            let (created, _, caseText) = try await client.send(.post, "/v1/cases", json: ["firstName": "Ada", "email": "ada@example.com"])
            #expect(created == .created)
            let caseId = try #require(try JSONText.decode(caseText)["id"]?.stringValue)
            #expect(try await client.send(.get, "/v1/cases/\(caseId)").0 == .ok)
            #expect(try await client.send(.get, "/v1/cases/01NOSUCHCASE").0 == .notFound)
            #expect(try await client.send(.get, "/no/such/route", authenticated: false).0 == .notFound)
            #expect(try await client.send(.put, "/v1/workflow-definitions/metrics", json: Self.definition).0 == .created)
            let (started, _, runText) = try await client.send(
                .post, "/v1/workflows/run", json: ["caseId": .string(caseId), "workflowDefinitionId": "metrics"])
            #expect(started == .created)
            let runId = try #require(try JSONText.decode(runText)["id"]?.stringValue)

            let samples = try await client.metrics { samples in
                samples.value("caseworker_runs_finished_total", ["status": "COMPLETED"]) == 1
                    && samples.value("caseworker_runs_in_flight") == 0
                    && samples.value("caseworker_webhook_deliveries_pending") != nil
            }
            // HTTP: by method, route template and status; never a raw path or an id.
            #expect(samples.value("caseworker_http_requests_total", ["method": "POST", "route": "/v1/cases", "status": "201"]) == 1)
            #expect(samples.value("caseworker_http_requests_total", ["method": "GET", "route": "/v1/cases/{id}", "status": "200"]) == 1)
            #expect(samples.value("caseworker_http_requests_total", ["method": "GET", "route": "/v1/cases/{id}", "status": "404"]) == 1)
            #expect(samples.value("caseworker_http_requests_total", ["method": "GET", "route": "NotFound", "status": "404"]) == 1)
            #expect(samples.value("caseworker_http_requests_total", ["route": "/healthz", "status": "200"]) == 1)
            #expect(
                samples.value(
                    "caseworker_http_request_duration_seconds_count", ["method": "POST", "route": "/v1/workflows/run", "status": "201"]) == 1)
            #expect(samples.types["caseworker_http_request_duration_seconds"] == "histogram")
            let routes = Set(samples.all("caseworker_http_requests_total").compactMap { $0.labels["route"] })
            #expect(!routes.contains { $0.contains(caseId) || $0.contains("01NOSUCHCASE") || $0.contains("/no/such") }, "\(routes)")
            // Runs and steps.
            #expect(samples.value("caseworker_runs_started_total") == 1)
            #expect(samples.value("caseworker_runs_finished_total", ["status": "FAILED"]) == 0)
            #expect(samples.value("caseworker_workflow_timeout_alerts_total") == 0, "present from the start")
            #expect(samples.value("caseworker_step_duration_seconds_count", ["action": "transform", "outcome": "OK"]) == 1)
            #expect(samples.value("caseworker_step_duration_seconds_count", ["action": "complete", "outcome": "OK"]) == 1)
            let stepSeconds = try #require(samples.value("caseworker_step_duration_seconds_sum", ["action": "transform", "outcome": "OK"]))
            #expect(stepSeconds >= 0 && stepSeconds < 30)
            // Commits, by named transaction.
            #expect(samples.value("caseworker_db_commit_duration_seconds_count", ["transaction": "startRun"]) == 1)
            // The transform and the complete step have no side effects: they commit together.
            #expect(
                samples.value("caseworker_db_commit_duration_seconds_count", ["transaction": "commitRun"]) == 1,
                "\(samples.all("caseworker_db_commit_duration_seconds_count").map { "\($0.labels) \($0.value)" })")
            #expect((samples.value("caseworker_db_commit_duration_seconds_sum", ["transaction": "createCase"]) ?? -1) >= 0)
            // Webhooks: nothing to deliver on this path.
            #expect(samples.value("caseworker_webhook_deliveries_pending") == 0)
            #expect(samples.value("caseworker_webhook_oldest_pending_delivery_age_seconds") == 0)
            // Nothing personal and no id anywhere in the page.
            let (_, _, text) = try await client.send(.get, "/metrics", authenticated: false)
            for secret in ["Ada", "ada@example.com", caseId, runId] { #expect(!text.contains(secret), "\(secret) in /metrics") }
        }
    }

    @Test func pendingDeliveriesAndTheirAgeAreSampled() async throws {
        let instance = try await Instance()
        // A case, an endpoint nobody serves, and a run whose completion event stays pending:
        // the dispatcher is not running here.
        try await instance.test { client in
            let (_, _, caseText) = try await client.send(.post, "/v1/cases", json: ["firstName": "Ada"])
            let caseId = try #require(try JSONText.decode(caseText)["id"]?.stringValue)
            #expect(try await client.send(.post, "/v1/webhook-endpoints", json: ["url": "https://hooks.example.com/x"]).0 == .created)
            #expect(try await client.send(.put, "/v1/workflow-definitions/metrics", json: Self.definition).0 == .created)
            #expect(
                try await client.send(.post, "/v1/workflows/run", json: ["caseId": .string(caseId), "workflowDefinitionId": "metrics"]).0
                    == .created)
            let samples = try await client.metrics { samples in
                samples.value("caseworker_webhook_deliveries_pending") == 1
                    && (samples.value("caseworker_webhook_oldest_pending_delivery_age_seconds") ?? 0) > 0
            }
            #expect((samples.value("caseworker_webhook_oldest_pending_delivery_age_seconds") ?? .infinity) < 60)
        }
    }

    @Test func withMetricsListenTheAPIListenerDoesNotServeMetrics() async throws {
        let instance = try await Instance()
        var config = CaseworkerConfig()
        config.metrics.listen = ListenAddress(host: "127.0.0.1", port: 0)
        try await instance.test(config: config) { client in
            let (status, _, _) = try await client.send(.get, "/metrics", authenticated: false)
            #expect(status == .notFound)
        }
        // The separate listener's router serves it.
        let router = makeMetricsRouter(exposition: instance.backend.exposition)
        try await Application(router: router).test(.router) { client in
            let text = try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                return String(buffer: response.body)
            }
            #expect(ExpositionSamples(text).value("caseworker_http_requests_total", ["route": "NotFound", "status": "404"]) == 1)
            #expect(try await client.execute(uri: "/healthz", method: .get) { $0.status } == .notFound)
        }
    }
}
