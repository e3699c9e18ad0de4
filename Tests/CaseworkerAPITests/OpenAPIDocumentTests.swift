import CaseworkerCore
import Foundation
import HTTPTypes
import Testing

/// The served OpenAPI document is `docs/openapi.yaml`, and it describes every route.
@Suite struct OpenAPIDocumentTests {
    static var file: String {
        get throws {
            let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("docs/openapi.yaml")
            return try String(contentsOf: url, encoding: .utf8)
        }
    }

    @Test func theServedDocumentIsDocsOpenAPIYaml() async throws {
        let app = try await TestApp()
        let expected = try Self.file
        try await app.test { client in
            let reply = try await client.send(.get, "/openapi.yaml", key: nil)
            #expect(reply.status == .ok)
            #expect(reply.headers[.contentType] == "application/yaml")
            #expect(reply.text == expected, "docs/openapi.yaml changed: run scripts/embed-openapi.sh")
        }
    }

    @Test func everyRouteIsDescribed() throws {
        let document = try Self.file
        let routes = [
            "/healthz", "/readyz", "/openapi.yaml", "/metrics", "/v1/cases", "/v1/cases/{id}", "/v1/parameters",
            "/v1/parameters/{id}", "/v1/workflow-definitions", "/v1/workflow-definitions/{id}",
            "/v1/workflow-definitions/{id}/versions", "/v1/workflow-definitions/{id}/publish",
            "/v1/workflow-definitions/{id}/disable", "/v1/workflow-definitions/{id}/enable", "/v1/workflow-definitions/{id}/draft",
            "/v1/workflows/run", "/v1/workflows", "/v1/workflows/{id}", "/v1/workflows/{id}/result", "/v1/workflows/{id}/execution",
            "/v1/workflows/{id}/cancel", "/v1/workflows/{id}/retry", "/v1/workflows/{id}/signals/{name}", "/v1/webhook-endpoints", "/v1/webhook-endpoints/{id}",
            "/v1/webhook-endpoints/{id}/rotate-secret", "/v1/webhook-deliveries", "/v1/webhook-deliveries/{id}",
            "/v1/webhook-deliveries/{id}/redeliver",
        ]
        for route in routes { #expect(document.contains("\n  \(route):\n"), "\(route) is not in docs/openapi.yaml") }
        #expect(document.contains("\nopenapi: 3.1"))
    }
}
