import CaseworkerStore
import Hummingbird

/// `GET /healthz` (the process is alive), `GET /readyz` (not draining, and the database is
/// writable and migrated) and `GET /openapi.yaml` (the API's description). All unauthenticated.
struct HealthRoutes {
    let store: any StoreHealth
    let readiness: Readiness

    func register(on router: Router<APIRequestContext>) {
        let router = RegisteredRoutes(on: router)
        router.get("healthz") { _, _ in Response.json(["status": "ok"]) }
        router.get("openapi.yaml") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/yaml"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
        }
        router.get("readyz") { _, context in
            guard !readiness.isDraining else { throw Problem.unavailable("draining: the daemon is shutting down") }
            do {
                try await store.checkReady()
            } catch {
                context.logger.warning("not ready", metadata: ["reason": "\(error)"])
                throw Problem.unavailable("not ready: \(error)")
            }
            return Response.json(["status": "ready"])
        }
        router.answerMethodNotAllowed()
    }
}
