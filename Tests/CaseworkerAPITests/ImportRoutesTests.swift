import CaseworkerCore
import CaseworkerTestSupport
import Foundation
import HTTPTypes
import Testing

/// `POST /v1/workflow-definitions/import` through the real router, with the published examples.
@Suite struct ImportRoutesTests {
    static let conductor = try! JSONText.decode(ForeignDefinitionExamples.conductor)
    static let invopop = try! JSONText.decode(ForeignDefinitionExamples.invopop)
    static let emailMap: JSONValue = ["email.send": ["method": "POST", "url": "https://mail.example.com/send", "body": "${config}"]]

    static func query(_ map: JSONValue) -> String {
        JSONText.encode(map).addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
    }

    static func entry(_ reply: JSONValue, _ pointer: String) -> JSONValue? {
        reply["report"]?["entries"]?.arrayValue?.first { $0["pointer"] == .string(pointer) }
    }

    @Test func theConductorExampleImportsAsADraftWithItsReport() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let reply = try await client.send(
                .post, "/v1/workflow-definitions/import?format=conductor", key: app.keyA, json: Self.conductor,
                headers: [HTTPField.Name("X-Channel")!: "migration", HTTPField.Name("X-Username")!: "ada"])
            #expect(reply.status == .created, "\(reply.text)")
            let answer = reply.json
            #expect(answer["id"] == "api-test")
            #expect(answer["saved"] == true)
            let definition = try #require(answer["definition"])
            #expect(definition["version"] == -1)
            #expect(definition["channel"] == "migration")
            #expect(definition["createdBy"] == "ada")
            #expect(definition["steps"]?.arrayValue?.first?["action"] == "event.emit")
            #expect(definition["timeoutPolicy"] == "ALERT_ONLY")
            #expect(definition["rateLimit"]?["concurrentExecLimit"] == 33)
            #expect(answer["report"]?["format"] == "conductor")
            #expect(answer["report"]?["refused"] == false)
            #expect(Self.entry(answer, "/tasks/0/sink")?["outcome"] == "mapped")

            // Stored as imported: GET shows the same version, and it can be published and run.
            let stored = try await client.send(.get, "/v1/workflow-definitions/api-test", key: app.keyA).json
            #expect(stored["versionId"] == definition["versionId"])
            #expect(stored["channel"] == "migration")
            let published = try await client.send(.post, "/v1/workflow-definitions/api-test/publish", key: app.keyA)
            #expect(published.json["version"] == 1, "\(published.text)")

            // Importing again into the existing id answers 200.
            let again = try await client.send(.post, "/v1/workflow-definitions/import?format=conductor", key: app.keyA, json: Self.conductor)
            #expect(again.status == .ok)
        }
    }

    @Test func aDryRunSavesNothing() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let reply = try await client.send(
                .post, "/v1/workflow-definitions/import?format=conductor&dryRun=true&id=preview", key: app.keyA, json: Self.conductor)
            #expect(reply.status == .ok, "\(reply.text)")
            #expect(reply.json["saved"] == false)
            #expect(reply.json["id"] == "preview")
            #expect(reply.json["definition"]?["name"] == "api-test")
            #expect(reply.json["definition"]?["version"] == nil, "the native body, not a stored version")
            expectProblem(try await client.send(.get, "/v1/workflow-definitions/preview", key: app.keyA), .notFound)
        }
    }

    @Test func theInvopopExampleIsRefusedNamingWhatIsUnmappedAndImportsOnceMapped() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let refused = try await client.send(
                .post, "/v1/workflow-definitions/import?format=invopop&id=invoice", key: app.keyA, json: Self.invopop)
            let problem = expectProblem(refused, .unprocessableContent)
            #expect(problem["type"] == "urn:caseworker:problem:import-refused")
            #expect(problem["detail"]?.stringValue?.contains("/steps/0/action") == true)
            #expect(problem["report"]?["refused"] == true)
            #expect(Self.entry(problem, "/steps/0/action")?["outcome"] == "refused")
            #expect(Self.entry(problem, "/steps/0/next/0/steps/0") != nil, "the empty nested step is named")
            #expect(problem["definition"]?.objectValue != nil)
            expectProblem(try await client.send(.get, "/v1/workflow-definitions/invoice", key: app.keyA), .notFound)

            let imported = try await client.send(
                .post, "/v1/workflow-definitions/import?format=invopop&id=invoice&publish=true&actionMap=\(Self.query(Self.emailMap))",
                key: app.keyA, json: Self.invopop)
            #expect(imported.status == .created, "\(imported.text)")
            let definition = try #require(imported.json["definition"])
            #expect(definition["version"] == 1)
            #expect(definition["steps"]?.arrayValue?.first?["action"] == "http.request")
            #expect(definition["metadata"]?["invopop"]?["country"] == "ES")
        }
    }

    @Test func badQueriesAndBodiesAnswerClearly() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let path = "/v1/workflow-definitions/import"
            for query in ["", "?format=temporal", "?format=conductor&id=a%20b", "?format=conductor&publish=yes",
                "?format=conductor&dryRun=1", "?format=invopop&actionMap=%5B1%5D", "?format=invopop&actionMap=%7B%22a%22%3A1%7D"] {
                let problem = expectProblem(try await client.send(.post, path + query, key: app.keyA, json: Self.conductor), .badRequest)
                #expect(problem["type"] == "urn:caseworker:problem:malformed-request", "\(query)")
            }
            // Invopop bodies carry no id: the answer says to give one, with the report.
            let noId = expectProblem(
                try await client.send(.post, path + "?format=invopop&actionMap=\(Self.query(Self.emailMap))", key: app.keyA, json: Self.invopop),
                .badRequest)
            #expect(noId["detail"]?.stringValue?.contains("?id=") == true)
            #expect(noId["report"] != nil)
            // A body that is not a definition at all is refused, never a 500.
            for body: JSONValue in [[], "text", ["tasks": "nope"], ["steps": [["action": 7]]]] {
                let format = body["steps"] == nil ? "conductor" : "invopop"
                let reply = try await client.send(.post, path + "?format=\(format)&id=x", key: app.keyA, json: body)
                #expect(reply.status == .unprocessableContent, "\(JSONText.encode(body)): \(reply.text)")
            }
            let notJSON = try await client.send(.post, path + "?format=conductor", key: app.keyA, rawBody: "{", contentType: "application/json")
            expectProblem(notJSON, .badRequest)
        }
    }

    @Test func importingNeedsTheDefinitionsWriteScope() async throws {
        let app = try await TestApp()
        try await app.test { client in
            expectProblem(
                try await client.send(.post, "/v1/workflow-definitions/import?format=conductor", key: app.readOnlyKeyA, json: Self.conductor),
                .forbidden)
            expectProblem(try await client.send(.post, "/v1/workflow-definitions/import?format=conductor", key: nil, json: Self.conductor), .unauthorized)
            let wrongMethod = expectProblem(try await client.send(.get, "/v1/workflow-definitions/import", key: app.keyA), .methodNotAllowed)
            #expect(wrongMethod["type"] == "urn:caseworker:problem:method-not-allowed")
        }
    }

    @Test func definitionWritesRecordTheirChannelAndBodiesMayBeTextJSON() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let body = DefinitionRoutesTests.body(isDraft: false)
            let saved = try await client.send(
                .put, "/v1/workflow-definitions/kyc", key: app.keyA, rawBody: JSONText.encode(body), contentType: "text/json",
                headers: [HTTPField.Name("X-Channel")!: "  admin-console  "])
            #expect(saved.status == .created, "\(saved.text)")
            #expect(saved.json["channel"] == "admin-console")
            // A GET body can be PUT back: `channel` is a response member, ignored.
            let draft = try await client.send(.put, "/v1/workflow-definitions/kyc?newVersion=false", key: app.keyA, json: saved.json.removing("isDraft"))
            #expect(draft.status == .ok, "\(draft.text)")
            #expect(draft.json["channel"] == .null, "no X-Channel on this write")
            // A changed draft, so that publishing it writes version 2.
            _ = try await client.send(.put, "/v1/workflow-definitions/kyc", key: app.keyA, json: DefinitionRoutesTests.body(score: 70))
            let published = try await client.send(
                .post, "/v1/workflow-definitions/kyc/publish", key: app.keyA, headers: [HTTPField.Name("X-Channel")!: "ops"])
            #expect(published.json["version"] == 2)
            #expect(published.json["channel"] == "ops")
            let plus = try await client.send(
                .put, "/v1/workflow-definitions/kyc2", key: app.keyA, rawBody: JSONText.encode(body), contentType: "application/vnd.kyc+json")
            #expect(plus.status == .created)
            expectProblem(
                try await client.send(.put, "/v1/workflow-definitions/kyc3", key: app.keyA, rawBody: JSONText.encode(body), contentType: "text/plain"),
                .unsupportedMediaType)
        }
    }

    @Test func endpointsSubscribeToCustomEventTypes() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let created = try await client.send(
                .post, "/v1/webhook-endpoints", key: app.keyA,
                json: ["url": "https://hooks.example/kyc", "events": ["workflow.completed", "kyc.document_requested"]])
            #expect(created.status == .created, "\(created.text)")
            #expect(created.json["events"] == ["workflow.completed", "kyc.document_requested"])
            let bad = try await client.send(
                .post, "/v1/webhook-endpoints", key: app.keyA, json: ["url": "https://hooks.example/kyc", "events": ["workflow.custom", "Kyc"]])
            let problem = expectProblem(bad, .unprocessableContent)
            #expect(Set(problem["errors"]?.arrayValue?.compactMap { $0["property"]?.stringValue } ?? []) == ["/events/0", "/events/1"])
            let listed = try await client.send(.get, "/v1/webhook-deliveries?eventType=kyc.document_requested", key: app.keyA)
            #expect(listed.status == .ok)
        }
    }
}

extension JSONValue {
    /// The object without `key`.
    fileprivate func removing(_ key: String) -> JSONValue {
        guard var members = objectValue else { return self }
        members[key] = nil
        return .object(members)
    }
}
