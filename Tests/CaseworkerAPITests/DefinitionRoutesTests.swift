import CaseworkerCore
import HTTPTypes
import Testing

@Suite struct DefinitionRoutesTests {
    static func body(name: String = "Verify", isDraft: Bool? = nil, tags: [String] = ["kyc"], score: Int = 50) -> JSONValue {
        var body: [String: JSONValue] = [
            "name": .string(name), "tags": .array(tags.map(JSONValue.string)),
            "variables": ["threshold": ["type": "integer", "default": .int(score)]],
            "steps": [
                ["id": "decide", "action": "switch", "config": ["value": "${params.threshold >= 50}"],
                 "next": [["code": "true", "stepId": "approve"]]],
                ["id": "refer", "action": "complete", "config": ["result": "refer"]],
                ["id": "approve", "action": "complete", "config": ["result": "approve"]],
            ],
        ]
        if let isDraft { body["isDraft"] = .bool(isDraft) }
        return .object(body)
    }

    @Test func draftsAreVersionMinusOneAndPublishingNumbersVersions() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let draft = try await client.send(.put, "/v1/workflow-definitions/kyc", key: app.keyA, json: Self.body())
            #expect(draft.status == .created, "\(draft.text)")
            #expect(draft.json["version"] == -1)
            #expect(draft.json["isDraft"] == true)
            #expect(draft.json["hasDraft"] == true)
            #expect(draft.json["versions"] == [])
            #expect(draft.json["createdBy"] == "test")
            #expect(draft.json["hash"]?.stringValue?.count == 16)

            let v1 = try await client.send(
                .put, "/v1/workflow-definitions/kyc", key: app.keyA, json: Self.body(isDraft: false),
                headers: [HTTPField.Name("X-Username")!: "ada"])
            #expect(v1.status == .ok)
            #expect(v1.json["version"] == 1)
            #expect(v1.json["versions"] == [1])
            #expect(v1.json["createdBy"] == "ada")
            #expect(v1.json["hasDraft"] == true)

            // Identical content publishes nothing new.
            let same = try await client.send(.put, "/v1/workflow-definitions/kyc?newVersion=true", key: app.keyA, json: Self.body())
            #expect(same.json["version"] == 1)
            #expect(same.json["versionId"] == v1.json["versionId"])

            let v2 = try await client.send(.put, "/v1/workflow-definitions/kyc", key: app.keyA, json: Self.body(isDraft: false, score: 70))
            #expect(v2.json["version"] == 2)
            #expect(v2.json["versions"] == [1, 2])
            #expect(v2.json["versionId"] != v1.json["versionId"])

            // Published versions never change.
            let first = try await client.send(.get, "/v1/workflow-definitions/kyc?version=1", key: app.keyA)
            #expect(first.json["variables"]?["threshold"]?["default"] == 50)
            #expect(first.json["versionId"] == v1.json["versionId"])
            #expect(try await client.send(.get, "/v1/workflow-definitions/kyc?version=latest", key: app.keyA).json["version"] == 2)
            #expect(try await client.send(.get, "/v1/workflow-definitions/kyc", key: app.keyA).json["version"] == 2)
            #expect(try await client.send(.get, "/v1/workflow-definitions/kyc?version=draft", key: app.keyA).json["version"] == -1)
            expectProblem(try await client.send(.get, "/v1/workflow-definitions/kyc?version=9", key: app.keyA), .notFound)
            expectProblem(try await client.send(.get, "/v1/workflow-definitions/kyc?version=x", key: app.keyA), .badRequest)

            let versions = try await client.send(.get, "/v1/workflow-definitions/kyc/versions", key: app.keyA).json
            #expect(versions["items"]?.arrayValue?.map { $0["version"] } == [2, 1])
        }
    }

    @Test func publishingTheDraftAndDeletingDrafts() async throws {
        let app = try await TestApp()
        try await app.test { client in
            _ = try await client.send(.put, "/v1/workflow-definitions/kyc", key: app.keyA, json: Self.body())
            let published = try await client.send(.post, "/v1/workflow-definitions/kyc/publish", key: app.keyA)
            #expect(published.status == .ok, "\(published.text)")
            #expect(published.json["version"] == 1)
            #expect(published.json["hasDraft"] == false)
            expectProblem(try await client.send(.post, "/v1/workflow-definitions/kyc/publish", key: app.keyA), .conflict)

            _ = try await client.send(.put, "/v1/workflow-definitions/kyc", key: app.keyA, json: Self.body(score: 60))
            #expect(try await client.send(.delete, "/v1/workflow-definitions/kyc/draft", key: app.keyA).status == .noContent)
            expectProblem(try await client.send(.delete, "/v1/workflow-definitions/kyc/draft", key: app.keyA), .notFound)
            expectProblem(try await client.send(.get, "/v1/workflow-definitions/kyc?version=draft", key: app.keyA), .notFound)
            expectProblem(try await client.send(.post, "/v1/workflow-definitions/nope/publish", key: app.keyA), .notFound)
        }
    }

    @Test func overwriteFalseRefusesAnExistingId() async throws {
        let app = try await TestApp()
        try await app.test { client in
            #expect(try await client.send(.put, "/v1/workflow-definitions/kyc?overwrite=false", key: app.keyA, json: Self.body()).status == .created)
            expectProblem(try await client.send(.put, "/v1/workflow-definitions/kyc?overwrite=false", key: app.keyA, json: Self.body()), .conflict)
            expectProblem(try await client.send(.put, "/v1/workflow-definitions/kyc?overwrite=maybe", key: app.keyA, json: Self.body()), .badRequest)
        }
    }

    @Test func invalidDefinitionsAre422WithEveryProblemAndNothingIsSaved() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let reply = try await client.send(
                .put, "/v1/workflow-definitions/kyc", key: app.keyA,
                json: [
                    "id": "other", "name": "x", "isDraft": "yes",
                    "steps": [["id": "a", "action": "nope"], ["id": "a", "action": "complete", "next": [["stepId": "ghost"]]]],
                ])
            expectProblem(reply, .unprocessableContent)
            #expect(Set(reply.errorPointers).isSuperset(of: ["/id", "/isDraft", "/steps/0/action", "/steps/1/id", "/steps/1/next/0/stepId"]))
            expectProblem(try await client.send(.get, "/v1/workflow-definitions/kyc", key: app.keyA), .notFound)
            let contradiction = try await client.send(.put, "/v1/workflow-definitions/kyc?newVersion=true", key: app.keyA, json: Self.body(isDraft: true))
            #expect(contradiction.errorPointers == ["/isDraft"])
            expectProblem(try await client.send(.put, "/v1/workflow-definitions/bad%20id", key: app.keyA, json: Self.body()), .badRequest)
        }
    }

    @Test func aGetResponseCanBePutBackUnchanged() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let v1 = try await client.send(.put, "/v1/workflow-definitions/kyc", key: app.keyA, json: Self.body(isDraft: false)).json
            let again = try await client.send(.put, "/v1/workflow-definitions/kyc", key: app.keyA, json: v1)
            #expect(again.status == .ok, "\(again.text)")
            #expect(again.json["version"] == 1)
            #expect(again.json["hash"] == v1["hash"])
        }
    }

    @Test func listFiltersByTagAndDisableEnable() async throws {
        let app = try await TestApp()
        try await app.test { client in
            for (id, tags) in [("a-kyc", ["kyc"]), ("b-aml", ["aml"]), ("c-both", ["kyc", "aml"])] {
                _ = try await client.send(.put, "/v1/workflow-definitions/\(id)", key: app.keyA, json: Self.body(isDraft: false, tags: tags))
            }
            let all = try await client.send(.get, "/v1/workflow-definitions", key: app.keyA).json
            #expect(all["items"]?.arrayValue?.map { $0["id"] } == ["a-kyc", "b-aml", "c-both"])
            let kyc = try await client.send(.get, "/v1/workflow-definitions?tag=kyc", key: app.keyA).json
            #expect(kyc["items"]?.arrayValue?.map { $0["id"] } == ["a-kyc", "c-both"])
            let paged = try await client.send(.get, "/v1/workflow-definitions?limit=2", key: app.keyA).json
            #expect(paged["items"]?.arrayValue?.count == 2)
            let cursor = try #require(paged["nextCursor"]?.stringValue)
            let rest = try await client.send(.get, "/v1/workflow-definitions?limit=2&cursor=\(cursor)", key: app.keyA).json
            #expect(rest["items"]?.arrayValue?.map { $0["id"] } == ["c-both"])

            let disabled = try await client.send(.post, "/v1/workflow-definitions/a-kyc/disable", key: app.keyA)
            #expect(disabled.json["disabled"] == true)
            #expect(try await client.send(.get, "/v1/workflow-definitions/a-kyc", key: app.keyA).json["disabled"] == true)
            #expect(try await client.send(.post, "/v1/workflow-definitions/a-kyc/enable", key: app.keyA).json["disabled"] == false)
            expectProblem(try await client.send(.post, "/v1/workflow-definitions/zzz/disable", key: app.keyA), .notFound)
            expectProblem(try await client.send(.get, "/v1/workflow-definitions/a-kyc/publish", key: app.keyA), .methodNotAllowed)
        }
    }

    @Test func definitionsAreTenantScopedAndNeedTheirScope() async throws {
        let app = try await TestApp()
        try await app.test { client in
            _ = try await client.send(.put, "/v1/workflow-definitions/kyc", key: app.keyA, json: Self.body(isDraft: false))
            expectProblem(try await client.send(.get, "/v1/workflow-definitions/kyc", key: app.keyB), .notFound)
            expectProblem(try await client.send(.get, "/v1/workflow-definitions/kyc/versions", key: app.keyB), .notFound)
            expectProblem(try await client.send(.post, "/v1/workflow-definitions/kyc/disable", key: app.keyB), .notFound)
            expectProblem(try await client.send(.delete, "/v1/workflow-definitions/kyc/draft", key: app.keyB), .notFound)
            #expect(try await client.send(.get, "/v1/workflow-definitions", key: app.keyB).json["items"] == [])
            // Tenant B may use the same id for its own definition.
            #expect(try await client.send(.put, "/v1/workflow-definitions/kyc", key: app.keyB, json: Self.body()).status == .created)
            #expect(try await client.send(.get, "/v1/workflow-definitions/kyc", key: app.keyA).json["version"] == 1)
            expectProblem(try await client.send(.get, "/v1/workflow-definitions", key: app.readOnlyKeyA), .forbidden)
        }
    }
}
