import CaseworkerCore
import CaseworkerStore
import Hummingbird

/// Signs every `/ui` page in: the session cookie must name a live session whose key is still
/// active, else the browser is sent to the sign-in page. Every `POST` must carry the session's
/// CSRF token in its `csrf` field (403 otherwise); the form is parsed here once.
struct SessionMiddleware: RouterMiddleware {
    typealias Context = DashboardContext

    let sessions: DashboardSessions
    let keys: any KeyStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = request.cookies[Dashboard.sessionCookie]?.value, let session = await sessions.use(token: token),
            let key = try await keys.activeKey(secretHash: session.keySecretHash)
        else {
            if let token = request.cookies[Dashboard.sessionCookie]?.value { await sessions.end(token: token) }
            throw DashboardError.signInRequired
        }
        var context = context
        context.key = key
        context.session = session
        context.sessionToken = token
        context.logger[metadataKey: "tenant"] = .string(key.tenantId)
        context.logger[metadataKey: "key_id"] = .string(key.id)
        var request = request
        if request.method == .post {
            let form = try await request.form(context: context)
            guard let sent = form["csrf"], Dashboard.constantTimeEqual(sent, session.csrfToken) else { throw DashboardError.badCSRFToken }
            context.form = form
        }
        return try await next(request, context)
    }
}

extension Request {
    /// The `application/x-www-form-urlencoded` body, at most the request body limit.
    mutating func form(context: DashboardContext) async throws -> FormFields {
        let buffer = try await collectBody(upTo: context.maxUploadSize)
        return FormFields(encoded: Substring(String(buffer: buffer)))
    }

    /// The query string's fields.
    var query: FormFields { FormFields(encoded: Substring(uri.query ?? "")) }
}
