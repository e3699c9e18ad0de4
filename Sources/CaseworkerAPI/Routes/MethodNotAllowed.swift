import Hummingbird

extension RouterGroup where Context == APIRequestContext {
    /// Answers 405 with an `Allow` header for the methods a path does not serve (Hummingbird's
    /// router would answer 404). Call after the path's real handlers are registered.
    func methodNotAllowed(_ path: RouterPath = "", allowing allowed: [HTTPRequest.Method]) {
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] where !allowed.contains(method) {
            on(path, method: method) { request, _ -> Response in
                throw Problem.methodNotAllowed(request.method, allowed: allowed)
            }
        }
    }
}
