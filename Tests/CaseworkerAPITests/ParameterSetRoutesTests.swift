import CaseworkerCore
import HTTPTypes
import Testing

@Suite struct ParameterSetRoutesTests {
    /// Publishes `kyc` v1 (threshold integer default 50, region string required) and v2.
    static func publishDefinitions(_ client: Client, key: String) async throws {
        var body: [String: JSONValue] = [
            "name": "KYC", "isDraft": true,
            "variables": ["threshold": ["type": "integer", "default": 50], "region": ["type": "string", "required": true]],
            "steps": [["id": "done", "action": "complete"]],
        ]
        body["isDraft"] = false
        #expect(try await client.send(.put, "/v1/workflow-definitions/kyc", key: key, json: .object(body)).status == .created)
        body["variables"] = ["threshold": ["type": "number", "default": 50]]
        #expect(try await client.send(.put, "/v1/workflow-definitions/kyc", key: key, json: .object(body)).json["version"] == 2)
    }

    @Test func createAndGetAgainstAPinnedVersion() async throws {
        let app = try await TestApp()
        try await app.test { client in
            try await Self.publishDefinitions(client, key: app.keyA)
            let created = try await client.send(
                .post, "/v1/parameters", key: app.keyA,
                json: ["workflowDefinitionId": "kyc", "version": 1, "values": ["threshold": 60, "region": "eu"]])
            #expect(created.status == .created, "\(created.text)")
            let body = created.json
            let id = try #require(body["id"]?.stringValue)
            #expect(created.headers[.location] == "/v1/parameters/\(id)")
            #expect(body["workflowDefinitionId"] == "kyc")
            #expect(body["version"] == 1)
            #expect(body["values"] == ["threshold": 60, "region": "eu"])
            #expect(try await client.send(.get, "/v1/parameters/\(id)", key: app.keyA).json == body)
        }
    }

    @Test func withoutAVersionTheLatestPublishedOneIsUsed() async throws {
        let app = try await TestApp()
        try await app.test { client in
            try await Self.publishDefinitions(client, key: app.keyA)
            let created = try await client.send(.post, "/v1/parameters", key: app.keyA, json: ["workflowDefinitionId": "kyc", "values": ["threshold": 0.5]])
            #expect(created.status == .created, "\(created.text)")
            #expect(created.json["version"] == 2)
            let empty = try await client.send(.post, "/v1/parameters", key: app.keyA, json: ["workflowDefinitionId": "kyc"])
            #expect(empty.json["values"] == [:])
        }
    }

    @Test func valuesAreCheckedAgainstTheVariables() async throws {
        let app = try await TestApp()
        try await app.test { client in
            try await Self.publishDefinitions(client, key: app.keyA)
            let reply = try await client.send(
                .post, "/v1/parameters", key: app.keyA,
                json: ["workflowDefinitionId": "kyc", "version": 1, "values": ["threshold": "high", "colour": "red"]])
            expectProblem(reply, .unprocessableContent)
            #expect(Set(reply.errorPointers) == ["/values/threshold", "/values/colour", "/values/region"])
        }
    }

    @Test func unknownDefinitionsAndVersionsAre404AndDraftOnlyIs409() async throws {
        let app = try await TestApp()
        try await app.test { client in
            try await Self.publishDefinitions(client, key: app.keyA)
            let unknown = expectProblem(try await client.send(.post, "/v1/parameters", key: app.keyA, json: ["workflowDefinitionId": "ghost"]), .notFound)
            #expect(unknown["detail"]?.stringValue?.contains("ghost") == true)
            expectProblem(try await client.send(.post, "/v1/parameters", key: app.keyA, json: ["workflowDefinitionId": "kyc", "version": 7]), .notFound)
            _ = try await client.send(.put, "/v1/workflow-definitions/draft-only", key: app.keyA, json: DefinitionRoutesTests.body())
            expectProblem(try await client.send(.post, "/v1/parameters", key: app.keyA, json: ["workflowDefinitionId": "draft-only"]), .conflict)
            // Another tenant's definition is unknown too.
            expectProblem(try await client.send(.post, "/v1/parameters", key: app.keyB, json: ["workflowDefinitionId": "kyc"]), .notFound)
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
