import Foundation
import CaseworkerCore
import CaseworkerStore
import Hummingbird

/// Bearer authentication for every `/v1` route: `Authorization: Bearer <api key>`.
///
/// The key is looked up by its SHA-256 (keys are stored hashed); a missing, malformed, unknown
/// or revoked key answers 401. The key's tenant scopes every handler below.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let keys: any KeyStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw Problem.unauthorized("missing Authorization header; send 'Authorization: Bearer <api key>'")
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw Problem.unauthorized("the Authorization header must be 'Bearer <api key>'")
        }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        guard let key = try await keys.activeKey(secretHash: APIKeySecret.hash(token)) else {
            throw Problem.unauthorized("unknown or revoked API key")
        }
        var context = context
        context.apiKey = key
        context.logger[metadataKey: "tenant"] = .string(key.tenantId)
        context.logger[metadataKey: "key_id"] = .string(key.id)
        return try await next(request, context)
    }
}

/// Requires the authenticated key to hold a scope for `resource`: `read` for `GET`/`HEAD`,
/// `write` for every other method. Answers 403 naming the missing scope.
struct ScopeMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let resource: Scope.Resource

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let access: Scope.Access = resource == .tasks ? .work : [.get, .head].contains(request.method) ? .read : .write
        guard let key = context.apiKey else { throw Problem.unauthorized("authentication is required") }
        guard key.grants(access, on: resource) else {
            throw Problem.forbidden("this API key lacks the scope \(resource.rawValue):\(access.rawValue)")
        }
        return try await next(request, context)
    }
}
