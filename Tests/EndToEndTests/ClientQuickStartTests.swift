import CaseworkerClient
import CaseworkerTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import OpenAPIRuntime
import Synchronization
import Testing

/// The README's quick start through the Swift client library (`CaseworkerClient`) against the
/// real binary: a case, the "Quick check" definition, a run, its result by long polling, and the
/// completion webhook received by a Hummingbird endpoint that verifies it with the library, as
/// docs/api.md shows a backend doing it.
@Suite struct ClientQuickStartTests {
    @Test func theQuickStartRunsThroughTheClientLibrary() async throws {
        let (directory, config) = try instanceDirectory(extraConfig: "webhooks:\n  allowedNetworks: [127.0.0.0/8]\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let daemon = try await DaemonProcess(["serve", "--config", config], in: directory)
        let port = try await daemon.waitForPort()
        let key = try await createKey(config: config, in: directory)
        let caseworker = Caseworker(serverURL: URL(string: "http://127.0.0.1:\(port)")!, apiKey: key)

        try await VerifyingReceiver.with { receiver in
            let endpoint = try await caseworker.api.createWebhookEndpoint(
                body: .json(.init(url: "http://127.0.0.1:\(receiver.port)/hooks/caseworker", events: [.init(value1: .workflow_completed)]))
            ).created.body.json
            receiver.trust(try WebhookSecret(endpoint.secret))

            let person = try await caseworker.createCase(
                .init(externalId: "crm-4411", firstName: "Ada", lastName: "Lovelace", email: "ada@example.com"), idempotencyKey: "case-1")
            #expect(person.lastName == "Lovelace" && person.erasedAt == nil)
            let saved = try await caseworker.api.putWorkflowDefinition(path: .init(id: "quick-check"), body: .json(Self.quickCheck))
                .created.body.json
            #expect(saved.version == 1 && !saved.isDraft)

            let run = try await caseworker.startRun(.init(caseId: person.id, workflowDefinitionId: "quick-check", correlationId: "order-7"))
            #expect(run.status == .pending)
            let result = try await caseworker.waitForResult(runId: run.id, timeout: .seconds(30))
            #expect(result.status == .completed && result.error == nil)
            let expected = try OpenAPIValueContainer(unvalidatedValue: ["decision": "approve", "score": 80] as [String: any Sendable])
            #expect(result.result == expected)

            try await waitFor("the verified completion webhook") { !receiver.events.isEmpty }
            let event = try #require(receiver.events.first)
            #expect(event._type == .workflow_completed && event.data.id == run.id && event.data.correlationId == "order-7")
            #expect(event.data.result == result.result)
            #expect(receiver.rejected == 0)
        }
        daemon.signal(SIGTERM)
        #expect(try await daemon.waitForExit() == 0)
    }

    @Test func problemsAndDeadlinesAreTypedErrors() async throws {
        let (directory, config) = try instanceDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let daemon = try await DaemonProcess(["serve", "--config", config], in: directory)
        let port = try await daemon.waitForPort()
        let key = try await createKey(config: config, in: directory)
        let caseworker = Caseworker(serverURL: URL(string: "http://127.0.0.1:\(port)")!, apiKey: key)

        let invalid = await #expect(throws: CaseworkerError.self) { try await caseworker.createCase(.init(email: "not an address")) }
        #expect(invalid?.problemSlug == "validation-failed")
        if case .problem(let problem) = invalid { #expect(problem.status == 422 && problem.errors?.map(\.property) == ["/email"]) }
        let unknown = await #expect(throws: CaseworkerError.self) {
            try await caseworker.startRun(.init(caseId: "01JDX3S5V7Q0B6W3T0M4E9K2ZP", workflowDefinitionId: "quick-check"))
        }
        #expect(unknown?.problemSlug == "not-found")
        let unauthenticated = Caseworker(serverURL: URL(string: "http://127.0.0.1:\(port)")!, apiKey: "cwk_unknown")
        let refused = await #expect(throws: CaseworkerError.self) { try await unauthenticated.createCase(.init()) }
        #expect(refused?.problemSlug == "unauthorized")

        // A run waiting on a 60 s timer: the wait gives up at its deadline, with the last status.
        let person = try await caseworker.createCase(.init())
        let waiting = Components.Schemas.WorkflowDefinitionInput(
            name: "Waits", isDraft: false,
            steps: [.wait(.init(id: "pause", action: .wait, config: .WaitSecondsConfig(.init(seconds: 60))))])
        _ = try await caseworker.api.putWorkflowDefinition(path: .init(id: "waits"), body: .json(waiting)).created
        let run = try await caseworker.startRun(.init(caseId: person.id, workflowDefinitionId: "waits"))
        let started = ContinuousClock.now
        let late = await #expect(throws: CaseworkerError.self) { try await caseworker.waitForResult(runId: run.id, timeout: .seconds(2)) }
        #expect(late == .deadlineExceeded(runId: run.id, status: .waiting))
        #expect(ContinuousClock.now - started < .seconds(10))
        daemon.signal(SIGTERM)
        #expect(try await daemon.waitForExit() == 0)
    }

    /// README's "Quick check": a score from the last name, a switch, two `complete` steps.
    static var quickCheck: Components.Schemas.WorkflowDefinitionInput {
        get throws {
            .init(
                name: "Quick check", isDraft: false,
                variables: .init(additionalProperties: ["threshold": .integer(.init(_type: .integer, _default: 50))]),
                steps: [
                    .transform(.init(id: "score", action: .transform, config: .init(set: try .init(unvalidatedValue: ["score": "${len(case.lastName) * 10}"])))),
                    ._switch(
                        .init(
                            id: "decide", action: ._switch, config: .init(value: "${state.score >= params.threshold}"),
                            next: [.JumpRule(.init(code: "true", stepId: "approve"))])),
                    .complete(.init(id: "refer", action: .complete, config: .init(result: try .init(unvalidatedValue: ["decision": "refer"])))),
                    .complete(
                        .init(
                            id: "approve", action: .complete,
                            config: .init(result: try .init(unvalidatedValue: ["decision": "approve", "score": "${state.score}"])))),
                ])
        }
    }
}

/// A backend's webhook endpoint (`POST /hooks/caseworker`, Hummingbird on 127.0.0.1, port 0)
/// written as docs/api.md shows it: every delivery is verified with `WebhookVerifier.event`
/// before anything in it is used; a forgery answers 401.
final class VerifyingReceiver: Sendable {
    private let verifier = Mutex(WebhookVerifier(secrets: []))
    private let received = Mutex<[Components.Schemas.WebhookEvent]>([])
    private let rejections = Mutex(0)
    private let portBox = Mutex(0)

    var port: Int { portBox.withLock { $0 } }
    var events: [Components.Schemas.WebhookEvent] { received.withLock { $0 } }
    var rejected: Int { rejections.withLock { $0 } }
    func trust(_ secret: WebhookSecret) { verifier.withLock { $0 = WebhookVerifier(secret: secret) } }

    static func with(_ body: @Sendable (VerifyingReceiver) async throws -> Void) async throws {
        let receiver = VerifyingReceiver()
        let router = Router()
        router.post("hooks/caseworker") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let headers = Dictionary(request.headers.map { ($0.name.canonicalName, $0.value) }, uniquingKeysWith: { first, _ in first })
            do {
                let event = try receiver.verifier.withLock { $0 }.event(headers: headers, body: body.readableBytesView)
                receiver.received.withLock { $0.append(event) }
                return Response(status: .noContent)
            } catch {
                receiver.rejections.withLock { $0 += 1 }
                return Response(status: .unauthorized)
            }
        }
        try await LoopbackServer.serve(router) { port in
            receiver.portBox.withLock { $0 = port }
            try await body(receiver)
        }
    }
}
