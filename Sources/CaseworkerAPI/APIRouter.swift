import CaseworkerStore
import Hummingbird

/// Settings of the HTTP API that come from the configuration file.
public struct APIConfiguration: Sendable {
    /// `server.maxBodyBytes`: the largest accepted request body; larger ones answer 413.
    public var maxBodyBytes: Int

    public init(maxBodyBytes: Int = 1 << 20) {
        self.maxBodyBytes = maxBodyBytes
    }
}

/// Builds the router of the whole HTTP API.
///
/// Middleware order, outermost first: request metadata (id, body limit, access log), problem
/// mapping, then for `/v1` authentication and per-resource scopes. Health routes are the only
/// unauthenticated ones.
public func makeRouter(
    store: any Store, configuration: APIConfiguration = .init(), readiness: Readiness = Readiness()
) -> Router<APIRequestContext> {
    let router = Router(context: APIRequestContext.self)
    router.add(middleware: RequestMetadataMiddleware(maxBodyBytes: configuration.maxBodyBytes))
    router.add(middleware: ProblemMiddleware())
    HealthRoutes(store: store, readiness: readiness).register(on: router)
    let v1 = router.group("v1").add(middleware: AuthenticationMiddleware(keys: store))
    CaseRoutes(store: store).register(on: v1)
    ParameterSetRoutes(store: store).register(on: v1)
    DefinitionRoutes(store: store).register(on: v1)
    RunRoutes(store: store).register(on: v1)
    WebhookEndpointRoutes(store: store).register(on: v1)
    WebhookDeliveryRoutes(store: store).register(on: v1)
    return router
}
