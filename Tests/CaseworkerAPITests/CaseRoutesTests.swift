import CaseworkerAPI
import CaseworkerCore
import HTTPTypes
import Testing

@Suite struct CaseRoutesTests {
    static let ada: JSONValue = [
        "externalId": "crm-4411", "firstName": "Ada", "lastName": "Lovelace", "personalNumber": "19151210-1234",
        "email": "ada@example.com", "companyName": "Analytical Ltd", "companyNumber": "556677-8899",
        "companyAddress": "1 Engine St", "data": ["tier": "gold", "notes": ["a": 1]],
    ]

    @Test func createThenGetReturnsEveryField() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let created = try await client.send(.post, "/v1/cases", key: app.keyA, json: Self.ada)
            #expect(created.status == .created)
            let body = created.json
            let id = try #require(body["id"]?.stringValue)
            #expect(created.headers[.location] == "/v1/cases/\(id)")
            for (key, value) in Self.ada.objectValue! { #expect(body[key] == value, "\(key)") }
            #expect(body["erasedAt"] == .null)
            #expect(body["createdAt"]?.stringValue.flatMap(Timestamp.parse) != nil)
            let fetched = try await client.send(.get, "/v1/cases/\(id)", key: app.keyA)
            #expect(fetched.status == .ok)
            #expect(fetched.json == body)
        }
    }

    @Test func emptyCaseIsAllowedAndAbsentFieldsAreNull() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let created = try await client.send(.post, "/v1/cases", key: app.keyA, json: [:])
            #expect(created.status == .created)
            #expect(created.json["firstName"] == .null)
            #expect(created.json["data"] == .null)
        }
    }

    @Test func validationReportsEveryProblemWithPointers() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let reply = try await client.send(
                .post, "/v1/cases", key: app.keyA,
                json: [
                    "firstName": 42, "email": "not-an-address", "lastName": .string(String(repeating: "x", count: 257)),
                    "data": "text", "nickname": "Ada", "id": "chosen", "externalId": "",
                ])
            let problem = expectProblem(reply, .unprocessableContent)
            #expect(problem["type"] == "urn:caseworker:problem:validation-failed")
            #expect(
                Set(reply.errorPointers)
                    == ["/firstName", "/email", "/lastName", "/data", "/nickname", "/id", "/externalId"])
            #expect(try await client.send(.get, "/v1/cases", key: app.keyA).json["items"]?.arrayValue?.isEmpty == true)
        }
    }

    @Test func nonObjectBodyAndOversizedDataAre422() async throws {
        let app = try await TestApp()
        try await app.test { client in
            expectProblem(try await client.send(.post, "/v1/cases", key: app.keyA, json: [1, 2]), .unprocessableContent)
            let big = JSONValue.object(["blob": .string(String(repeating: "a", count: 70_000))])
            let reply = try await client.send(.post, "/v1/cases", key: app.keyA, json: ["data": big])
            expectProblem(reply, .unprocessableContent)
            #expect(reply.errorPointers == ["/data"])
        }
    }

    @Test func malformedJSONIs400AndWrongContentTypeIs415() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let malformed = try await client.send(.post, "/v1/cases", key: app.keyA, rawBody: "{\"firstName\": ")
            let problem = expectProblem(malformed, .badRequest)
            #expect(problem["detail"]?.stringValue?.contains("not valid JSON") == true)
            expectProblem(try await client.send(.post, "/v1/cases", key: app.keyA, rawBody: "\u{FF}"), .badRequest)
            expectProblem(
                try await client.send(.post, "/v1/cases", key: app.keyA, rawBody: "firstName=Ada", contentType: "application/x-www-form-urlencoded"),
                .unsupportedMediaType)
            expectProblem(try await client.send(.post, "/v1/cases", key: app.keyA, rawBody: "{}", contentType: nil), .unsupportedMediaType)
            let charset = try await client.send(.post, "/v1/cases", key: app.keyA, rawBody: "{}", contentType: "application/json; charset=utf-8")
            #expect(charset.status == .created)
        }
    }

    @Test func bodyOverTheLimitIs413() async throws {
        let app = try await TestApp(configuration: .init(maxBodyBytes: 2048))
        try await app.test { client in
            let reply = try await client.send(.post, "/v1/cases", key: app.keyA, json: ["firstName": .string(String(repeating: "x", count: 4000))])
            let problem = expectProblem(reply, .contentTooLarge)
            #expect(problem["detail"]?.stringValue?.contains("2048") == true)
        }
    }

    @Test func duplicateExternalIdIs409WithinATenantOnly() async throws {
        let app = try await TestApp()
        try await app.test { client in
            _ = try await client.createCase(key: app.keyA, ["externalId": "crm-1"])
            let duplicate = try await client.send(.post, "/v1/cases", key: app.keyA, json: ["externalId": "crm-1"])
            expectProblem(duplicate, .conflict)
            #expect(duplicate.errorPointers == ["/externalId"])
            _ = try await client.createCase(key: app.keyB, ["externalId": "crm-1"])
        }
    }

    @Test func listFiltersByExternalIdAndPagesNewestFirst() async throws {
        let app = try await TestApp()
        try await app.test { client in
            var ids: [String] = []
            for n in 1...5 { ids.append(try await client.createCase(key: app.keyA, ["externalId": .string("crm-\(n)")])) }
            let byExternal = try await client.send(.get, "/v1/cases?externalId=crm-3", key: app.keyA).json
            #expect(byExternal["items"]?.arrayValue?.map { $0["id"] } == [.string(ids[2])])
            #expect(byExternal["nextCursor"] == .null)

            var seen: [String] = []
            var uri = "/v1/cases?limit=2"
            while true {
                let page = try await client.send(.get, uri, key: app.keyA)
                #expect(page.status == .ok)
                seen += page.json["items"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
                guard let cursor = page.json["nextCursor"]?.stringValue else { break }
                uri = "/v1/cases?limit=2&cursor=\(cursor)"
            }
            #expect(seen == ids.reversed())
        }
    }

    @Test func badPagingParametersAre400() async throws {
        let app = try await TestApp()
        try await app.test { client in
            for query in ["limit=0", "limit=501", "limit=ten", "cursor=%%%", "cursor=abc"] {
                expectProblem(try await client.send(.get, "/v1/cases?\(query)", key: app.keyA), .badRequest)
            }
        }
    }

    @Test func patchIsAJSONMergePatch() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let id = try await client.createCase(key: app.keyA, Self.ada)
            let reply = try await client.send(
                .patch, "/v1/cases/\(id)", key: app.keyA,
                json: ["email": "ada@engine.example", "lastName": .null, "data": ["tier": .null, "score": 7]],
                contentType: "application/merge-patch+json")
            #expect(reply.status == .ok, "\(reply.text)")
            let body = reply.json
            #expect(body["email"] == "ada@engine.example")
            #expect(body["lastName"] == .null)
            #expect(body["firstName"] == "Ada")
            #expect(body["data"] == ["notes": ["a": 1], "score": 7])
            #expect(try await client.send(.get, "/v1/cases/\(id)", key: app.keyA).json == body)
        }
    }

    @Test func invalidPatchChangesNothing() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let id = try await client.createCase(key: app.keyA, Self.ada)
            let before = try await client.send(.get, "/v1/cases/\(id)", key: app.keyA).json
            let reply = try await client.send(.patch, "/v1/cases/\(id)", key: app.keyA, json: ["firstName": "Augusta", "email": "nope"])
            expectProblem(reply, .unprocessableContent)
            #expect(reply.errorPointers == ["/email"])
            expectProblem(try await client.send(.patch, "/v1/cases/\(id)", key: app.keyA, json: "x"), .unprocessableContent)
            #expect(try await client.send(.get, "/v1/cases/\(id)", key: app.keyA).json == before)
        }
    }

    @Test func deleteErasesPersonalDataAndKeepsTheId() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let id = try await client.createCase(key: app.keyA, Self.ada)
            #expect(try await client.send(.delete, "/v1/cases/\(id)", key: app.keyA).status == .noContent)
            let erased = try await client.send(.get, "/v1/cases/\(id)", key: app.keyA).json
            #expect(erased["id"] == .string(id))
            #expect(erased["erasedAt"]?.stringValue.flatMap(Timestamp.parse) != nil)
            for field in ["externalId", "firstName", "lastName", "personalNumber", "email", "companyName", "companyNumber", "companyAddress", "data"] {
                #expect(erased[field] == .null, "\(field)")
            }
            // Erasing again is harmless; changing an erased case is a conflict; the externalId is free again.
            #expect(try await client.send(.delete, "/v1/cases/\(id)", key: app.keyA).status == .noContent)
            expectProblem(try await client.send(.patch, "/v1/cases/\(id)", key: app.keyA, json: ["firstName": "Ada"]), .conflict)
            _ = try await client.createCase(key: app.keyA, ["externalId": "crm-4411"])
        }
    }

    @Test func unknownIdsAre404() async throws {
        let app = try await TestApp()
        try await app.test { client in
            expectProblem(try await client.send(.get, "/v1/cases/01JUNKNOWN", key: app.keyA), .notFound)
            expectProblem(try await client.send(.patch, "/v1/cases/01JUNKNOWN", key: app.keyA, json: [:]), .notFound)
            expectProblem(try await client.send(.delete, "/v1/cases/01JUNKNOWN", key: app.keyA), .notFound)
        }
    }
}
