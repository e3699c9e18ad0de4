import CaseworkerCore
import CaseworkerStore
import CoreMetrics
import Hummingbird
import HummingbirdCore
import NIOCore

/// Settings of the HTTP API that come from the configuration file.
public struct APIConfiguration: Sendable {
    /// `server.maxBodyBytes`: the largest accepted request body; larger ones answer 413.
    public var maxBodyBytes: Int
    /// `server.idempotencyKeyHours`: how long the response to an `Idempotency-Key` is kept.
    public var idempotencyRetention: Duration
    /// `server.idleTimeoutSeconds`: a connection that delivers no complete request head for this
    /// long is closed (Hummingbird's idle timeout, which it leaves off by default).
    public var idleTimeout: Duration
    /// `server.requestTimeoutSeconds`: the longest from a request's head to the end of its body
    /// (`RequestDeadlineHandler`).
    public var requestTimeout: Duration
    /// `limits.*`: the bounds on values (request bodies' depth, a run's input, state and
    /// rate-limit key).
    public var valueLimits: ValueLimits
    /// What a definition being saved may name beyond the common rules: the `exec` programs of
    /// `engine.exec.programs`. Default: none.
    public var definitionRules = DefinitionRules()

    public init(
        maxBodyBytes: Int = 1 << 20, idempotencyRetention: Duration = .seconds(24 * 3600), idleTimeout: Duration = .seconds(60),
        requestTimeout: Duration = .seconds(30), valueLimits: ValueLimits = .default
    ) {
        self.valueLimits = valueLimits
        self.maxBodyBytes = maxBodyBytes
        self.idempotencyRetention = idempotencyRetention
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
    }
}

/// The HTTP/1.1 server of the API: Hummingbird's, with the idle timeout on and every request's
/// head-to-end-of-body time bounded by `RequestDeadlineHandler`, so that no client holds a
/// connection by sending slowly. The header section is bounded by NIO's decoder (80 KiB).
public func makeHTTPServer(configuration: APIConfiguration = .init()) -> HTTPServerBuilder {
    let requestTimeout = TimeAmount(configuration.requestTimeout)
    return .http1(
        configuration: HTTP1Channel.Configuration(
            additionalChannelHandlers: [RequestDeadlineHandler(timeout: requestTimeout)],
            idleTimeout: TimeAmount(configuration.idleTimeout)))
}

/// Builds the router of the whole HTTP API.
///
/// Middleware order, outermost first: request metadata (id, body limit, access log), HTTP
/// metrics, problem mapping, then for `/v1` authentication, and per resource its scope and then
/// `Idempotency-Key` (`ResourceGroups`). Health routes
/// and `/metrics` (when `metrics.exposition` is set) are the only unauthenticated ones.
public func makeRouter(
    store: any Store, configuration: APIConfiguration = .init(), metrics: APIMetrics = .init(), readiness: Readiness = Readiness()
) -> Router<APIRequestContext> {
    let router = Router(context: APIRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.add(middleware: RequestMetadataMiddleware(maxBodyBytes: configuration.maxBodyBytes, valueLimits: configuration.valueLimits))
    router.add(middleware: HTTPMetricsMiddleware(factory: metrics.factory))
    router.add(middleware: ProblemMiddleware())
    HealthRoutes(store: store, readiness: readiness).register(on: router)
    if let exposition = metrics.exposition { MetricsRoutes(exposition: exposition).register(on: router) }
    let v1 = ResourceGroups(
        v1: router.group("v1").add(middleware: AuthenticationMiddleware(keys: store)),
        idempotency: IdempotencyMiddleware(store: store, retention: configuration.idempotencyRetention))
    CaseRoutes(store: store).register(on: v1)
    ParameterSetRoutes(store: store).register(on: v1)
    DefinitionRoutes(store: store, rules: configuration.definitionRules).register(on: v1)
    RunRoutes(store: store, runsStarted: Counter(label: "caseworker_runs_started_total", factory: metrics.factory)).register(on: v1)
    WebhookEndpointRoutes(store: store).register(on: v1)
    WebhookDeliveryRoutes(store: store).register(on: v1)
    TaskRoutes(store: store).register(on: v1)
    return router
}

/// The route groups of the `/v1` resources. Each checks the key's scope before it handles
/// `Idempotency-Key`, so that a stored response is only ever replayed to a request that was
/// allowed to make it (and a 403 is never stored).
struct ResourceGroups {
    /// `/v1`, behind authentication.
    let v1: RouterGroup<APIRequestContext>
    let idempotency: IdempotencyMiddleware

    /// `/v1/<path>`: the scope of `resource` is required, then `Idempotency-Key` is handled.
    func group(_ path: RouterPath, scope resource: Scope.Resource) -> RegisteredRoutes<RouterGroup<APIRequestContext>> {
        RegisteredRoutes(on: v1.group(path).add(middleware: ScopeMiddleware(resource: resource)).add(middleware: idempotency))
    }
}
