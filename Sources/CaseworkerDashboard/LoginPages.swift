import CaseworkerCore
import HTTPTypes
import Hummingbird

/// `/ui/login`: an API key in a form, checked like the API's bearer key, starts a session. The
/// form carries a CSRF token of its own (a cookie and the same value in the form), attempts are
/// limited per client address, and the key is never shown back, logged or put in a URL.
struct LoginPages {
    let dashboard: Dashboard

    func register(on ui: RouterGroup<DashboardContext>) {
        ui.get("login") { request, _ in
            let token = DashboardSessions.randomToken()
            var response = Layout.response(form(token: token, next: request.query["next"], message: nil))
            response.headers[.setCookie] = dashboard.cookie(Dashboard.loginCSRFCookie, token, for: request)
            return response
        }
        ui.post("login") { request, context in
            var request = request
            let form = try await request.form(context: context)
            guard let sent = form["csrf"], let expected = request.cookies[Dashboard.loginCSRFCookie]?.value,
                Dashboard.constantTimeEqual(sent, expected)
            else { throw DashboardError.badCSRFToken }
            if let wait = await dashboard.loginAttempts.attempt(from: context.peerAddress ?? "unknown") {
                throw DashboardError.tooManyAttempts(retryAfterSeconds: wait)
            }
            let next = safeTarget(form["next"])
            guard let secret = form.nonEmpty("key"), let key = try await dashboard.store.activeKey(secretHash: APIKeySecret.hash(secret)) else {
                context.logger.notice("dashboard sign-in refused")
                return Layout.response(self.form(token: sent, next: next, message: "Unknown or revoked API key."), status: .unauthorized)
            }
            let session = await dashboard.sessions.start(keySecretHash: APIKeySecret.hash(secret))
            context.logger.notice("dashboard sign-in", metadata: ["tenant": .string(key.tenantId), "key_id": .string(key.id)])
            var response = Response(status: .seeOther, headers: [.location: next])
            response.headers.append(HTTPField(name: .setCookie, value: dashboard.cookie(Dashboard.sessionCookie, session, for: request)))
            response.headers.append(HTTPField(name: .setCookie, value: dashboard.cookie(Dashboard.loginCSRFCookie, "", maxAge: 0, for: request)))
            return response
        }
    }

    /// Only a path of the dashboard itself: never another site (an open redirect).
    private func safeTarget(_ next: String?) -> String {
        guard let next, next.hasPrefix("/ui"), !next.hasPrefix("//"), !next.contains("\\") else { return "/ui" }
        return next
    }

    private func form(token: String, next: String?, message: String?) -> HTML {
        let error: HTML = message.map { #"<p class="error" role="alert">\#($0)</p>"# } ?? ""
        return Layout.page(
            title: "Sign in", key: nil, csrf: nil,
            """
            \(error)<form method="post" action="/ui/login" class="login">\(Layout.csrfField(token))
            <input type="hidden" name="next" value="\(safeTarget(next))">
            <label for="key">API key</label>
            <input id="key" name="key" type="password" autocomplete="off" required autofocus>
            <button type="submit">Sign in</button></form>
            <p class="hint">Any API key of your tenant works; its scopes decide what you can see and do.</p>
            """)
    }
}
