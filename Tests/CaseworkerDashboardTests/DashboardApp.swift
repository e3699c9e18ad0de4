import CaseworkerAPI
import CaseworkerCore
import CaseworkerDashboard
import CaseworkerEngine
import CaseworkerSQLite
import CaseworkerStore
import CaseworkerTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

/// A real SQLite file in a temporary directory with keys of two tenants, served by the API's
/// router with the dashboard on it, and the run engine.
struct DashboardApp {
    let directory: URL
    let store: SQLiteStore
    let keyA: String
    let keyB: String
    /// Tenant A, read scopes only.
    let readOnlyKeyA: String
    let configuration: DashboardConfiguration
    let now: @Sendable () -> Date

    init(configuration: DashboardConfiguration = .init(), now: @escaping @Sendable () -> Date = Date.init) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("caseworker-ui-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try SQLiteStore(options: .init(path: directory.appendingPathComponent("test.sqlite").path))
        try store.migrate()
        self.store = store
        func key(_ tenant: String, _ scopes: [Scope]) async throws -> String {
            let secret = APIKeySecret.generate()
            _ = try await store.createKey(tenantId: tenant, name: "operator", scopes: scopes, secret: secret)
            return secret.text
        }
        keyA = try await key("tenant-a", [.admin])
        keyB = try await key("tenant-b", [.admin])
        readOnlyKeyA = try await key("tenant-a", Scope.Resource.allCases.map { .of($0, .read) })
        self.configuration = configuration
        self.now = now
    }

    func test(_ body: @Sendable (TestBrowser, TestJSONClient) async throws -> Void) async throws {
        var logger = Logger(label: "caseworker-test")
        logger.logLevel = .warning
        let httpClient = HTTPRequestAction.makeClient()
        let engine = RunEngine(store: store, actions: .standard(http: HTTPRequestAction(client: httpClient)), logger: logger)
        let router = makeRouter(store: store)
        Dashboard(store: store, configuration: configuration, now: now).register(on: router)
        let app = Application(router: router, services: [engine], logger: logger)
        do {
            try await app.test(.router) { client in try await body(TestBrowser(client: client), TestJSONClient(client)) }
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        try await httpClient.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A browser of the tests: sends form posts and the cookies it holds, reads pages as text.
struct TestBrowser: Sendable {
    struct Page: Sendable {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let text: String

        /// The first CSRF token of a form on the page.
        var csrf: String? {
            guard let range = text.range(of: #"name="csrf" value="([0-9a-f]+)""#, options: .regularExpression) else { return nil }
            return String(text[range].dropFirst(#"name="csrf" value=""#.count).dropLast())
        }

        /// The value a `Set-Cookie` of this page gives `name`.
        func cookie(named name: String) -> String? {
            headers[values: .setCookie].first { $0.hasPrefix(name + "=") }
                .map { String($0.dropFirst(name.count + 1).prefix { $0 != ";" }) }
        }
    }

    let client: any TestClientProtocol
    var cookies: [String: String] = [:]
    /// The session's CSRF token, once signed in.
    var csrf = ""
    /// Where the sign-in sent the browser.
    var location: String?

    init(client: any TestClientProtocol) { self.client = client }

    func get(_ uri: String, headers: HTTPFields = [:]) async throws -> Page { try await send(.get, uri, body: nil, cookies: cookies, headers: headers) }

    func post(_ uri: String, form: [String: String]) async throws -> Page { try await post(uri, form: form, cookies: cookies) }

    func post(_ uri: String, form: [String: String], cookies: [String: String]) async throws -> Page {
        let body = form.sorted { $0.key < $1.key }.map { "\(Self.encode($0.key))=\(Self.encode($0.value))" }.joined(separator: "&")
        return try await send(.post, uri, body: body, cookies: cookies)
    }

    /// Signs in with `key` through the login form; answers a browser holding the session.
    func signIn(key: String, next: String? = nil) async throws -> TestBrowser {
        let login = try await get("/ui/login")
        let token = try #require(login.csrf)
        var form = ["csrf": token, "key": key]
        if let next { form["next"] = next }
        let reply = try await post("/ui/login", form: form, cookies: ["caseworker_login": try #require(login.cookie(named: "caseworker_login"))])
        #expect(reply.status == .seeOther, "\(reply.text)")
        var browser = self
        browser.cookies["caseworker_session"] = try #require(reply.cookie(named: "caseworker_session"))
        browser.location = reply.headers[.location]
        browser.csrf = try #require(try await browser.get("/ui/runs").csrf)
        return browser
    }

    private func send(_ method: HTTPRequest.Method, _ uri: String, body: String?, cookies: [String: String], headers extra: HTTPFields = [:]) async throws -> Page {
        var headers = extra
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        if body != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            Page(status: response.status, headers: response.headers, text: String(buffer: response.body))
        }
    }

    private static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

extension TestJSONClient {
    /// A run of a one-step definition that fails at its step `check`; answers its id once `FAILED`.
    func failedRun(key: String, caseExternalId: String? = nil, correlationId: String? = nil) async throws -> String {
        var fields: [String: JSONValue] = ["firstName": "Ada"]
        if let caseExternalId { fields["externalId"] = .string(caseExternalId) }
        let created = try await send(.post, "/v1/cases", key: key, json: .object(fields))
        #expect(created.status == .created, "\(created.text)")
        let caseId = try #require(created.json["id"]?.stringValue)
        let definition: JSONValue = ["name": "Check", "isDraft": false, "steps": [["id": "check", "action": "fail", "config": ["code": "rejected", "reason": "no"]]]]
        let saved = try await send(.put, "/v1/workflow-definitions/check", key: key, json: definition)
        #expect([.created, .ok].contains(saved.status), "\(saved.text)")
        var start: [String: JSONValue] = ["caseId": .string(caseId), "workflowDefinitionId": "check"]
        if let correlationId { start["correlationId"] = .string(correlationId) }
        let started = try await send(.post, "/v1/workflows/run", key: key, json: .object(start))
        #expect(started.status == .created, "\(started.text)")
        let runId = try #require(started.json["id"]?.stringValue)
        var status = "PENDING"
        for _ in 0..<10 where status != "FAILED" {  // each long poll waits at most 20 s for a change
            status = try await send(.get, "/v1/workflows/\(runId)?waitSeconds=20&unlessStatus=\(status)", key: key).json["status"]?.stringValue ?? ""
        }
        if status == "FAILED" { return runId }
        Issue.record("run \(runId) did not fail")
        return runId
    }

    func status(_ runId: String, key: String) async throws -> String? {
        try await send(.get, "/v1/workflows/\(runId)", key: key).json["status"]?.stringValue
    }
}
