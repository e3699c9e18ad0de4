import CaseworkerCore
import HTTPTypes
import Testing

@Suite struct ParameterSetRoutesTests {
    @Test func createAndGet() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let created = try await client.send(
                .post, "/v1/parameters", key: app.keyA,
                json: ["workflowDefinitionId": "customer-verification", "version": 2, "values": ["threshold": 60, "region": "eu"]])
            #expect(created.status == .created, "\(created.text)")
            let body = created.json
            let id = try #require(body["id"]?.stringValue)
            #expect(created.headers[.location] == "/v1/parameters/\(id)")
            #expect(body["workflowDefinitionId"] == "customer-verification")
            #expect(body["version"] == 2)
            #expect(body["values"] == ["threshold": 60, "region": "eu"])
            #expect(try await client.send(.get, "/v1/parameters/\(id)", key: app.keyA).json == body)
        }
    }

    @Test func versionAndValuesAreOptional() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let created = try await client.send(.post, "/v1/parameters", key: app.keyA, json: ["workflowDefinitionId": "kyc"])
            #expect(created.status == .created)
            #expect(created.json["version"] == .null)
            #expect(created.json["values"] == [:])
        }
    }

    @Test func invalidBodiesAre422WithEveryProblem() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let reply = try await client.send(
                .post, "/v1/parameters", key: app.keyA,
                json: ["workflowDefinitionId": "bad id/with spaces", "version": 0, "values": [1], "extra": true])
            expectProblem(reply, .unprocessableContent)
            #expect(Set(reply.errorPointers) == ["/workflowDefinitionId", "/version", "/values", "/extra"])
            let missing = try await client.send(.post, "/v1/parameters", key: app.keyA, json: [:])
            #expect(missing.errorPointers == ["/workflowDefinitionId"])
        }
    }

    @Test func unknownIdIs404() async throws {
        let app = try await TestApp()
        try await app.test { client in
            expectProblem(try await client.send(.get, "/v1/parameters/nope", key: app.keyA), .notFound)
        }
    }
}
