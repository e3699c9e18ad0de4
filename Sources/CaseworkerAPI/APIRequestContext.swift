import CaseworkerCore
import CaseworkerStore
import Hummingbird

/// The per-request context of every Caseworker route.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// `X-Request-ID` of the request (or a generated one); echoed in the response, used as the
    /// `instance` of problem details and logged as `request_id`.
    public var requestId = ""
    /// The body limit in bytes, set from `server.maxBodyBytes` by `RequestMetadataMiddleware`.
    public var maxUploadSize = 1 << 20
    /// The bounds on values (`limits.*`), set by `RequestMetadataMiddleware`: a request body
    /// deeper than `maxDepth` is 400; a run's start is checked against them.
    public var valueLimits = ValueLimits.default
    /// The authenticated key; set by `AuthenticationMiddleware` on every `/v1` route.
    public var apiKey: APIKey?
    /// The IP address of the connected peer, when known (the dashboard limits sign-ins by it).
    public let peerAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peerAddress = source.channel.remoteAddress?.ipAddress
    }

    /// The tenant of the authenticated key. Every `/v1` handler scopes its store calls by it.
    func tenantId() throws -> String {
        guard let apiKey else { throw Problem.unauthorized("authentication is required") }
        return apiKey.tenantId
    }
}
