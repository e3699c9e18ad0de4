import CaseworkerAPI
import CaseworkerCore
import CaseworkerStore
import Hummingbird

/// The request context of `/ui`: the API's, plus the signed-in session (set by
/// `SessionMiddleware` on every page but sign-in and the assets).
struct DashboardContext: ChildRequestContext {
    var coreContext: CoreRequestContextStorage
    var maxUploadSize: Int
    let requestId: String
    let peerAddress: String?
    /// The key that signed in, looked up again on every request (a revoked key ends the session).
    var key: APIKey?
    var session: DashboardSession?
    var sessionToken: String?
    /// The fields of a `POST`'s form, parsed by `SessionMiddleware` when it checks the CSRF token.
    var form = FormFields(encoded: "")

    init(context: APIRequestContext) throws {
        coreContext = context.coreContext
        maxUploadSize = context.maxUploadSize
        requestId = context.requestId
        peerAddress = context.peerAddress
    }

    /// The signed-in key; only `SessionMiddleware`'s routes call it.
    func signedIn() throws(DashboardError) -> (key: APIKey, session: DashboardSession) {
        guard let key, let session else { throw .signInRequired }
        return (key, session)
    }

    /// The signed-in key if it may `access` `resource`, else 403.
    func requiring(_ access: Scope.Access, on resource: Scope.Resource) throws(DashboardError) -> (key: APIKey, session: DashboardSession) {
        let (key, session) = try signedIn()
        guard key.grants(access, on: resource) else { throw .forbidden("this API key lacks the scope \(resource.rawValue):\(access.rawValue)") }
        return (key, session)
    }
}

/// Why a dashboard request fails; `DashboardErrorMiddleware` renders each as a page.
enum DashboardError: Error, Equatable {
    case signInRequired
    case badCSRFToken
    case forbidden(String)
    case notFound(String)
    case badRequest(String)
    case conflict(String)
    case tooManyAttempts(retryAfterSeconds: Int)
}
