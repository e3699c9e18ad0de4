import Hummingbird
import NIOCore

/// `GET /metrics`: the Prometheus text exposition, unauthenticated like `/healthz`. Registered on
/// the API router when `metrics.listen` is empty, else on the separate metrics listener only.
struct MetricsRoutes {
    let exposition: MetricsExposition

    func register(on router: Router<APIRequestContext>) {
        let router = RegisteredRoutes(on: router)
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: exposition.contentType],
                body: .init(byteBuffer: ByteBuffer(string: exposition.render())))
        }
        router.answerMethodNotAllowed()
    }
}

/// The router of the separate metrics listener (`metrics.listen`): `GET /metrics` only, every
/// other path 404.
public func makeMetricsRouter(exposition: MetricsExposition) -> Router<APIRequestContext> {
    let router = Router(context: APIRequestContext.self, options: .autoGenerateHeadEndpoints)
    MetricsRoutes(exposition: exposition).register(on: router)
    return router
}
