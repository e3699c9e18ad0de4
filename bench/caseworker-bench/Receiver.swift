import CaseworkerCore
import CaseworkerWebhookSigning
import CaseworkerWebhooks
import Foundation
import Hummingbird
import Logging

/// W1's webhook receiver, inside the driver's process: `POST /hook` verifies the Standard
/// Webhooks signature, checks the run's result (`approve` exactly when `score >= 50`) and tells
/// the tracker. Answers 204, or 401 for a bad signature.
enum Receiver {
    static func router(secret: WebhookSecret, tracker: WebhookTracker) -> Router<BasicRequestContext> {
        let verifier = WebhookVerifier(secret: secret)
        let router = Router()
        router.post("hook") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let arrived = monotonicNanos()
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            do {
                try verifier.verify(headers: headers, body: body.readableBytesView, now: Date())
            } catch {
                tracker.rejected()
                return Response(status: .unauthorized)
            }
            let event = try? JSONText.decode(body.readableBytesView)
            guard let data = event?["data"], let runId = data["id"]?.stringValue else {
                tracker.rejected()
                return Response(status: .badRequest)
            }
            let result = data["result"]
            let score = result?["score"]?.intValue ?? -1
            let decision = result?["decision"]?.stringValue
            let right = (0..<100).contains(score) && decision == (score >= 50 ? "approve" : "refer")
            tracker.received(runId: runId, at: arrived, resultIsRight: right)
            return Response(status: .noContent)
        }
        return router
    }

    /// Starts the receiver on 127.0.0.1 (a free port) in the background; answers its port.
    static func start(secret: WebhookSecret, tracker: WebhookTracker) async throws -> Int {
        var logger = Logger(label: "receiver")
        logger.logLevel = .error
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router(secret: secret, tracker: tracker), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        Task { try await app.run() }
        for await port in stream { return port }
        throw BenchError("the receiver did not start")
    }
}
