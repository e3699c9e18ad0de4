import ArgumentParser
import AsyncHTTPClient
import CaseworkerCore
import CaseworkerWebhookSigning
import CaseworkerWebhooks
import Foundation
import Hummingbird
import NIOCore
import Synchronization

/// The HTTP floor of workload W1: a server that answers the W1 driver as the daemon would, and
/// makes the same HTTP exchanges per run on the same stack (Hummingbird, AsyncHTTPClient
/// configured as the daemon configures it), with nothing else: no database, no engine, no logs,
/// no SSRF relay. A run is the run-start request (JSON body read, a `201` with a JSON body
/// written), the provider call to the stub (JSON written and read), the decision, and the signed
/// `workflow.completed` webhook to the receiver. Its CPU per run is what the daemon cannot go
/// below on this stack (`w1 --floor`; docs/PERFORMANCE.md).
struct FloorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "floor", abstract: "Run W1's HTTP floor: the daemon's HTTP exchanges without the daemon (used by `w1 --floor`).")

    func run() async throws {
        let floor = Floor()
        try await serve(floor.router(), label: "floor")
    }
}

/// The floor server's state: the provider's URL (from the published definition) and the webhook
/// endpoint (from its registration).
private final class Floor: Sendable {
    private struct Setup {
        var providerURL: String?
        var webhookURL: String?
        var secret: WebhookSecret?
    }

    private let setup = Mutex(Setup())
    /// As `HTTPRequestAction.makeClient` (64 connections per host, no tracing), without the relay.
    private let providerClient: HTTPClient = {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        configuration.tracing.tracer = nil
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()
    /// As `DeliveryDispatcher`'s client (16 connections per endpoint, no tracing), without the relay.
    private let webhookClient: HTTPClient = {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 16)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.tracing.tracer = nil
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.put("v1/workflow-definitions/:id") { request, _ -> Response in
            let definition = try await Self.json(request)
            let url = definition["steps"]?.arrayValue?.first?["config"]?["url"]?.stringValue
            self.setup.withLock { $0.providerURL = url }
            return Self.answer(.created, ["id": "w1-kyc", "version": 1])
        }
        router.get("v1/webhook-endpoints") { _, _ in Self.answer(.ok, ["items": []]) }
        router.post("v1/webhook-endpoints") { request, _ -> Response in
            let endpoint = try await Self.json(request)
            let secret = try endpoint["secret"]?.stringValue.map(WebhookSecret.init)
            self.setup.withLock {
                $0.webhookURL = endpoint["url"]?.stringValue
                $0.secret = secret
            }
            return Self.answer(.created, ["id": .string(UUID().uuidString)])
        }
        router.post("v1/cases") { request, _ -> Response in
            _ = try await Self.json(request)
            return Self.answer(.created, ["id": .string(UUID().uuidString.lowercased())])
        }
        router.post("v1/workflows/run") { request, _ -> Response in
            let start = try await Self.json(request)
            let run = FloorRun(
                id: "run_" + UUID().uuidString, caseId: start["caseId"]?.stringValue ?? "",
                definitionId: start["workflowDefinitionId"]?.stringValue ?? "")
            Task { await self.execute(run) }
            return Self.answer(.created, run.representation(status: "PENDING", result: .null))
        }
        router.get("v1/workflows/:id") { _, context -> Response in
            Self.answer(.ok, ["id": .string(context.parameters.get("id") ?? ""), "status": "COMPLETED"])
        }
        return router
    }

    /// A run as the floor knows it (not CaseworkerCore's `Run`: the floor stores nothing).
    private struct FloorRun {
        var id: String
        var caseId: String
        var definitionId: String

        /// The members of the daemon's run representation that W1 sees.
        func representation(status: String, result: JSONValue) -> JSONValue {
            [
                "id": .string(id), "caseId": .string(caseId), "workflowDefinitionId": .string(definitionId), "version": 1,
                "status": .string(status), "result": result, "error": .null, "correlationId": .null,
            ]
        }
    }

    /// W1's three steps and the webhook. A failure is left to the driver (a missing webhook).
    private func execute(_ run: FloorRun) async {
        let (providerURL, webhookURL, secret) = setup.withLock { ($0.providerURL, $0.webhookURL, $0.secret) }
        guard let providerURL, let webhookURL, let secret else { return }
        do {
            var call = HTTPClientRequest(url: providerURL)
            call.method = .POST
            call.headers.add(name: "Content-Type", value: "application/json")
            call.body = .bytes(ByteBuffer(string: JSONText.encode(["caseId": .string(run.caseId)])))
            let answer = try await providerClient.execute(call, timeout: .seconds(10))
            let score = try JSONText.decode(try await answer.body.collect(upTo: 1 << 20).readableBytesView)["score"]?.intValue ?? -1
            let result: JSONValue = ["decision": .string(score >= 50 ? "approve" : "refer"), "score": .int(score)]

            let now = Date()
            let eventId = "msg_" + UUID().uuidString
            let body = Array(
                JSONText.encode([
                    "type": "workflow.completed", "timestamp": .string(Timestamp.rfc3339(millis: Int64(now.timeIntervalSince1970 * 1000))),
                    "data": run.representation(status: "COMPLETED", result: result),
                ]).utf8)
            var delivery = HTTPClientRequest(url: webhookURL)
            delivery.method = .POST
            delivery.headers.add(name: "Content-Type", value: "application/json")
            for header in WebhookSigner.headers(id: eventId, timestamp: WebhookSigner.timestamp(of: now), body: body, secrets: [secret]) {
                delivery.headers.add(name: header.name, value: header.value)
            }
            delivery.body = .bytes(ByteBuffer(bytes: body))
            let response = try await webhookClient.execute(delivery, timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 4096)
        } catch {}
    }

    private static func json(_ request: Request) async throws -> JSONValue {
        try JSONText.decode(try await request.body.collect(upTo: 1 << 20).readableBytesView)
    }

    private static func answer(_ status: HTTPResponse.Status, _ body: JSONValue) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: JSONText.encode(body))))
    }
}
