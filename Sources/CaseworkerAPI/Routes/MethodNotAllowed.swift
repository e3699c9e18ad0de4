import Hummingbird

/// The methods a path that exists answers 405 to, when it does not serve them: the five of the
/// API, plus `OPTIONS`, `TRACE` and `QUERY`. `HEAD` follows `GET` (the router serves `HEAD` for
/// every `GET` route, see `makeRouter`), so it is 405 exactly where `GET` is. `CONNECT` never
/// names a path; any other method the HTTP parser accepts (WebDAV's `PROPFIND`, ...) finds no
/// route and answers 404.
enum MethodNotAllowed {
    static let answered: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete, .options, .trace, .query]

    /// The `Allow` value for a path serving `allowed`: those methods in the order of `answered`
    /// (any other after them), with `HEAD` after `GET`.
    static func allowList(_ allowed: [HTTPRequest.Method]) -> [HTTPRequest.Method] {
        let ordered = allowed.sorted { (answered.firstIndex(of: $0) ?? answered.count) < (answered.firstIndex(of: $1) ?? answered.count) }
        return ordered.flatMap { $0 == .get && !allowed.contains(.head) ? [.get, .head] : [$0] }
    }
}

/// A route collection's routes: each is registered on the wrapped router or group (so that its
/// middleware applies) and remembered, so that `answerMethodNotAllowed()` derives the 405 answers
/// of their paths from the routes themselves. No list of allowed methods is kept by hand.
///
/// Register the collection's routes on it exactly as on the group, then call
/// `answerMethodNotAllowed()` once.
struct RegisteredRoutes<Parent: RouterMethods<APIRequestContext>>: RouterMethods {
    typealias Context = APIRequestContext

    /// The paths registered so far, in registration order, each with the methods it serves.
    private final class Served {
        var paths: [(path: RouterPath, methods: [HTTPRequest.Method])] = []

        func add(_ path: RouterPath, _ method: HTTPRequest.Method) {
            if let index = paths.firstIndex(where: { $0.path == path }) {
                paths[index].methods.append(method)
            } else {
                paths.append((path, [method]))
            }
        }
    }

    private let parent: Parent
    private let served = Served()

    /// Routes registered on `parent` (a `Router`, or a group with the collection's middleware).
    init(on parent: Parent) {
        self.parent = parent
    }

    @discardableResult func on<Responder: HTTPResponder>(
        _ path: RouterPath, method: HTTPRequest.Method, responder: Responder
    ) -> Self where Responder.Context == Context {
        served.add(path, method)
        parent.on(path, method: method, responder: responder)
        return self
    }

    /// Adds middleware to the wrapped router or group (for the routes registered after it).
    @discardableResult func add(middleware: any MiddlewareProtocol<Request, Response, Context>) -> Self {
        _ = parent.add(middleware: middleware)
        return self
    }

    /// Answers 405 `method-not-allowed`, with an `Allow` header listing what the path serves
    /// (`HEAD` after `GET`), to every method of `MethodNotAllowed.answered` that a registered path
    /// does not serve (Hummingbird's router alone would answer 404). The answers go through the
    /// same middleware as the path's routes: on a `/v1` group they come after authentication and
    /// the scope check, like any other answer of the path. Call once, after the collection's
    /// routes are registered.
    func answerMethodNotAllowed() {
        for (path, methods) in served.paths {
            let allow = MethodNotAllowed.allowList(methods)
            for method in MethodNotAllowed.answered where !methods.contains(method) {
                parent.on(path, method: method) { request, _ -> Response in
                    throw Problem.methodNotAllowed(request.method, allowed: allow)
                }
            }
        }
    }
}
