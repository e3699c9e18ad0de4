import CaseworkerStore
import Hummingbird

/// `GET /healthz` (the process is alive) and `GET /readyz` (the database is writable and
/// migrated). Both are unauthenticated, for load balancers and systemd.
struct HealthRoutes {
    let store: any StoreHealth

    func register(on router: Router<APIRequestContext>) {
        router.get("healthz") { _, _ in Response.json(["status": "ok"]) }
        router.get("readyz") { _, context in
            do {
                try await store.checkReady()
            } catch {
                context.logger.warning("not ready", metadata: ["reason": "\(error)"])
                throw Problem.unavailable("not ready: \(error)")
            }
            return Response.json(["status": "ready"])
        }
    }
}
