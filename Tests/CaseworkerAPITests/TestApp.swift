import CaseworkerAPI
import CaseworkerCore
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

/// A real SQLite file in a fresh temporary directory, migrated, with keys for two tenants.
struct TestApp {
    let directory: URL
    let store: SQLiteStore
    /// `admin` key of tenant A.
    let keyA: String
    /// `admin` key of tenant B.
    let keyB: String
    /// `cases:read` key of tenant A.
    let readOnlyKeyA: String
    /// A revoked admin key of tenant A.
    let revokedKeyA: String
    let configuration: APIConfiguration

    init(configuration: APIConfiguration = .init()) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("caseworker-api-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try SQLiteStore(options: .init(path: directory.appendingPathComponent("test.sqlite").path))
        try store.migrate()
        self.store = store
        func key(_ tenant: String, _ scopes: [Scope]) async throws -> String {
            let secret = APIKeySecret.generate()
            _ = try await store.createKey(tenantId: tenant, name: "test", scopes: scopes, secret: secret)
            return secret.text
        }
        keyA = try await key("tenant-a", [.admin])
        keyB = try await key("tenant-b", [.admin])
        readOnlyKeyA = try await key("tenant-a", [.of(.cases, .read)])
        let revoked = APIKeySecret.generate()
        let revokedKey = try await store.createKey(tenantId: "tenant-a", name: "old", scopes: [.admin], secret: revoked)
        _ = try await store.revokeKey(id: revokedKey.id)
        revokedKeyA = revoked.text
        self.configuration = configuration
    }

    /// Runs `body` against the real router (HummingbirdTesting's `.router` mode), with the run
    /// engine running as a service of the application.
    func test(_ body: @Sendable (Client) async throws -> Void) async throws {
        var logger = Logger(label: "caseworker-test")
        logger.logLevel = .warning  // keep `swift test` output free of access-log lines
        let httpClient = HTTPRequestAction.makeClient()
        let engine = RunEngine(
            store: store, actions: .standard(http: HTTPRequestAction(client: httpClient)),
            logger: logger)
        let app = Application(router: makeRouter(store: store, configuration: configuration), services: [engine], logger: logger)
        do {
            try await app.test(.router) { client in try await body(Client(client)) }
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        try await httpClient.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// The JSON client of the tests (`CaseworkerTestSupport`), with this target's conveniences.
typealias Client = TestJSONClient

extension TestJSONClient.Reply {
    /// The JSON pointers of a problem's `errors`.
    var errorPointers: [String] { json["errors"]?.arrayValue?.compactMap { $0["property"]?.stringValue } ?? [] }
}

extension TestJSONClient {
    /// Creates a case and returns its id.
    func createCase(key: String, _ body: JSONValue) async throws -> String {
        let reply = try await send(.post, "/v1/cases", key: key, json: body)
        #expect(reply.status == .created, "\(reply.text)")
        return try #require(reply.json["id"]?.stringValue)
    }
}

/// Asserts `reply` is a problem+json with `status` and returns it.
@discardableResult
func expectProblem(_ reply: Client.Reply, _ status: HTTPResponse.Status, sourceLocation: SourceLocation = #_sourceLocation) -> JSONValue {
    #expect(reply.status == status, "\(reply.text)", sourceLocation: sourceLocation)
    #expect(reply.headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
    let body = reply.json
    #expect(body["status"]?.intValue == status.code, sourceLocation: sourceLocation)
    #expect(body["type"]?.stringValue?.hasPrefix("urn:caseworker:problem:") == true, sourceLocation: sourceLocation)
    #expect(body["title"]?.stringValue?.isEmpty == false, sourceLocation: sourceLocation)
    #expect(body["detail"]?.stringValue?.isEmpty == false, sourceLocation: sourceLocation)
    #expect(body["instance"]?.stringValue == reply.headers[HTTPField.Name("X-Request-ID")!], sourceLocation: sourceLocation)
    return body
}
