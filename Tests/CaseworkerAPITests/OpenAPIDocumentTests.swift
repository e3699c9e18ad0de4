import CaseworkerAPI
import CaseworkerCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import Yams

/// The served OpenAPI document is `docs/openapi.yaml`, and it describes exactly the router's
/// routes: the paths come from `Router.routes`, and every method of every path answers as the
/// document says (an operation, or 405 with `Allow` as listed in `x-method-not-allowed`).
@Suite struct OpenAPIDocumentTests {
    static var file: String {
        get throws {
            let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("docs/openapi.yaml")
            return try String(contentsOf: url, encoding: .utf8)
        }
    }

    /// The document's path items by path template.
    static var paths: [String: [String: Any]] {
        get throws {
            let document = try #require(try Yams.load(yaml: try file) as? [String: Any])
            let paths = try #require(document["paths"] as? [String: Any])
            return paths.compactMapValues { $0 as? [String: Any] }
        }
    }

    /// The methods a request may carry, as the document spells them in `x-method-not-allowed`.
    static let methods: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options, .trace, .query]

    /// The router of the daemon, `/metrics` included.
    static func router(_ app: TestApp) -> Router<APIRequestContext> {
        makeRouter(store: app.store, metrics: APIMetrics(exposition: MetricsExposition { "" }))
    }

    @Test func theDocumentNamesEveryActionAndAStepSchemaForEach() throws {
        let document = try #require(try Yams.load(yaml: try Self.file) as? [String: Any])
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let names = try #require((schemas["ActionName"] as? [String: Any])?["enum"] as? [String])
        #expect(names == ActionName.allCases.map(\.rawValue))
        let mapping = try #require(((schemas["Step"] as? [String: Any])?["discriminator"] as? [String: Any])?["mapping"] as? [String: String])
        #expect(Set(mapping.keys) == Set(names))
    }

    @Test func theServedDocumentIsDocsOpenAPIYaml() async throws {
        let app = try await TestApp()
        let expected = try Self.file
        try await app.test { client in
            let reply = try await client.send(.get, "/openapi.yaml", key: nil)
            #expect(reply.status == .ok)
            #expect(reply.headers[.contentType] == "application/yaml")
            #expect(reply.text == expected)
        }
    }

    @Test func theDocumentDescribesExactlyTheRoutedPaths() async throws {
        let app = try await TestApp()
        let routed = Set(Self.router(app).routes.map(\.path.description))
        let documented = Set(try Self.paths.keys)
        #expect(routed.subtracting(documented).sorted() == [], "routes missing from docs/openapi.yaml")
        #expect(documented.subtracting(routed).sorted() == [], "paths of docs/openapi.yaml without a route")
        #expect(try Self.file.contains("\nopenapi: 3.1"))
    }

    /// Every method on every documented path: an operation of the document is served (whatever
    /// its answer, it is not 405), and every other method is listed in the path's
    /// `x-method-not-allowed` and answers 405 with `Allow` naming exactly the operations.
    @Test func everyPathAnswersEachMethodAsDocumented() async throws {
        let app = try await TestApp()
        // (path template, its operations' methods, its x-method-not-allowed), in path order.
        let paths = try Self.paths.sorted { $0.key < $1.key }.map { template, item in
            (template, Self.methods.filter { item[$0.rawValue.lowercased()] != nil }, Set((item["x-method-not-allowed"] as? [String]) ?? []))
        }
        var logger = Logger(label: "caseworker-test")
        logger.logLevel = .warning
        let application = Application(router: Self.router(app), logger: logger)
        try await application.test(.router) { client in
            for (template, operations, notAllowed) in paths {
                let path = template.replacingOccurrences(of: "{id}", with: "x").replacingOccurrences(of: "{name}", with: "review")
                let key = template.hasPrefix("/v1/") ? app.keyA : nil
                let allowed = operations.contains(.get) ? operations + [.head] : operations
                let allow = Self.methods.filter(allowed.contains).map(\.rawValue).joined(separator: ", ")
                for method in Self.methods {
                    var headers: HTTPFields = [:]
                    if let key { headers[.authorization] = "Bearer \(key)" }
                    let (status, allowHeader) = try await client.execute(uri: path, method: method, headers: headers) {
                        ($0.status, $0.headers[.allow])
                    }
                    if allowed.contains(method) {
                        #expect(status != .methodNotAllowed, "\(method) \(template) is documented but answers 405")
                        #expect(!notAllowed.contains(method.rawValue), "\(template): \(method) is both an operation and in x-method-not-allowed")
                    } else {
                        #expect(status == .methodNotAllowed, "\(method) \(template) answers \(status.code), not 405")
                        #expect(allowHeader == allow, "\(method) \(template)")
                        #expect(notAllowed.contains(method.rawValue), "\(template): x-method-not-allowed lacks \(method)")
                    }
                }
            }
        }
    }
}
