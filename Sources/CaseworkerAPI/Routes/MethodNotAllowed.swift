import Hummingbird

/// The methods a path that exists answers 405 to, when it does not serve them: the five of the
/// API, plus `OPTIONS`, `TRACE` and `QUERY`. `HEAD` follows `GET` (the router serves `HEAD` for
/// every `GET` route, see `makeRouter`), so it is 405 exactly where `GET` is. `CONNECT` never
/// names a path; any other method the HTTP parser accepts (WebDAV's `PROPFIND`, ...) finds no
/// route and answers 404.
enum MethodNotAllowed {
    static let answered: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete, .options, .trace, .query]

    /// The `Allow` value for a path serving `allowed`: `HEAD` is added after `GET`.
    static func allowList(_ allowed: [HTTPRequest.Method]) -> [HTTPRequest.Method] {
        allowed.flatMap { $0 == .get && !allowed.contains(.head) ? [.get, .head] : [$0] }
    }
}

extension RouterMethods where Context == APIRequestContext {
    /// Answers 405 with an `Allow` header for the methods a path does not serve (Hummingbird's
    /// router would answer 404). Call after the path's real handlers are registered.
    ///
    /// On a `/v1` group the answer comes after authentication and the scope check, like any
    /// other answer of the path.
    func methodNotAllowed(_ path: RouterPath = "", allowing allowed: [HTTPRequest.Method]) {
        let allow = MethodNotAllowed.allowList(allowed)
        for method in MethodNotAllowed.answered where !allowed.contains(method) {
            on(path, method: method) { request, _ -> Response in
                throw Problem.methodNotAllowed(request.method, allowed: allow)
            }
        }
    }
}
