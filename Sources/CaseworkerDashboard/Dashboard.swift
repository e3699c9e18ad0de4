import CaseworkerAPI
import CaseworkerCore
import CaseworkerStore
import Foundation
import HTTPTypes
import Hummingbird

/// The operators' dashboard under `/ui` (docs/operations.md, "The dashboard"): pages rendered on
/// the server from the same store the API uses, signed in with an API key into a server-side
/// session. Scopes and tenancy are the API's: a page needs the read scope of what it shows, an
/// action the write scope, and every store call is scoped by the key's tenant.
public struct Dashboard: Sendable {
    static let sessionCookie = "caseworker_session"
    static let loginCSRFCookie = "caseworker_login"

    let store: any Store
    let configuration: DashboardConfiguration
    let sessions: DashboardSessions
    let loginAttempts: LoginAttempts
    let now: @Sendable () -> Date

    public init(store: any Store, configuration: DashboardConfiguration, now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.configuration = configuration
        self.now = now
        sessions = DashboardSessions(idle: configuration.sessionIdle, lifetime: configuration.sessionLifetime, now: now)
        loginAttempts = LoginAttempts(perMinute: configuration.loginAttemptsPerMinute, now: now)
    }

    /// Adds the `/ui` routes to the API's router.
    public func register(on router: Router<APIRequestContext>) {
        let ui = router.group("ui", context: DashboardContext.self).add(middleware: DashboardErrorMiddleware())
        Assets.register(on: ui)
        LoginPages(dashboard: self).register(on: ui)
        let pages = ui.group().add(middleware: SessionMiddleware(sessions: sessions, keys: store))
        OverviewPage(store: store, now: now).register(on: pages)
        pages.post("logout") { request, context in
            if let token = context.sessionToken { await sessions.end(token: token) }
            return Response(status: .seeOther, headers: [.location: "/ui/login", .setCookie: cookie(Self.sessionCookie, "", maxAge: 0, for: request)])
        }
        RunPages(store: store).register(on: pages)
        CasePages(store: store).register(on: pages)
        DefinitionPages(store: store).register(on: pages)
        WebhookPages(store: store).register(on: pages)
    }

    /// A cookie for `/ui` only, `HttpOnly`, `SameSite=Strict`; `Secure` when `ui.secureCookies`
    /// is set, or `ui.trustForwardedProto` is and the proxy says the request came over HTTPS.
    func cookie(_ name: String, _ value: String, maxAge: Int? = nil, for request: Request) -> String {
        let forwardedHTTPS = request.headers[Self.forwardedProto]?.lowercased() == "https"
        let secure = configuration.secureCookies || (configuration.trustForwardedProto && forwardedHTTPS)
        return Cookie(name: name, value: value, maxAge: maxAge, path: "/ui", secure: secure, httpOnly: true, sameSite: .strict).description
    }

    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// Renders a `DashboardError` (and a store's conflict) as a page; sends an unsigned browser to
/// sign-in, keeping where it wanted to go.
struct DashboardErrorMiddleware: RouterMiddleware {
    typealias Context = DashboardContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            var response = try await next(request, context)
            response.headers[.contentSecurityPolicy] =
                "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
            response.headers[.xContentTypeOptions] = "nosniff"
            response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
            return response
        } catch let error as DashboardError {
            return page(for: error, request: request, context: context)
        } catch StoreError.conflict(let message) {
            return page(for: .conflict(message), request: request, context: context)
        }
    }

    private func page(for error: DashboardError, request: Request, context: Context) -> Response {
        let (status, title, detail): (HTTPResponse.Status, String, String)
        switch error {
        case .signInRequired:
            let target = request.method == .get ? request.uri.path + (request.uri.query.map { "?" + $0 } ?? "") : "/ui"
            return Response(status: .seeOther, headers: [.location: "/ui/login?next=" + target.queryEncoded])
        case .badCSRFToken: (status, title, detail) = (.forbidden, "Forbidden", "The form's security token is missing or out of date. Go back, reload the page and try again.")
        case .forbidden(let message): (status, title, detail) = (.forbidden, "Forbidden", message)
        case .notFound(let message): (status, title, detail) = (.notFound, "Not found", message)
        case .badRequest(let message): (status, title, detail) = (.badRequest, "Bad request", message)
        case .conflict(let message): (status, title, detail) = (.conflict, "Not possible now", message)
        case .tooManyAttempts(let seconds):
            var response = Layout.response(
                Layout.page(title: "Too many attempts", key: nil, csrf: nil, "<p>Too many sign-in attempts from this address. Try again in \(seconds) s.</p>"),
                status: .tooManyRequests)
            response.headers[.retryAfter] = String(seconds)
            return response
        }
        return Layout.response(
            Layout.page(title: title, key: context.key, csrf: context.session?.csrfToken, "<p>\(detail)</p><p>Request \(context.requestId)</p>"), status: status)
    }
}
