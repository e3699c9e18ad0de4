import CaseworkerCore
import HTTPTypes
import Testing

@Suite struct AuthTests {
    @Test func healthEndpointsNeedNoKey() async throws {
        try await TestApp().test { client in
            let health = try await client.send(.get, "/healthz", key: nil)
            #expect(health.status == .ok)
            #expect(health.json["status"] == "ok")
            let ready = try await client.send(.get, "/readyz", key: nil)
            #expect(ready.status == .ok)
            #expect(ready.json["status"] == "ready")
        }
    }

    @Test func missingKeyIs401WithBearerChallenge() async throws {
        try await TestApp().test { client in
            let reply = try await client.send(.get, "/v1/cases", key: nil)
            expectProblem(reply, .unauthorized)
            #expect(reply.headers[.wwwAuthenticate] == "Bearer")
        }
    }

    @Test func unknownMalformedAndRevokedKeysAre401() async throws {
        let app = try await TestApp()
        try await app.test { client in
            expectProblem(try await client.send(.get, "/v1/cases", key: "cwk_not-a-real-key"), .unauthorized)
            expectProblem(try await client.send(.get, "/v1/cases", key: app.revokedKeyA), .unauthorized)
            let basic = try await client.send(.get, "/v1/cases", key: nil, headers: [.authorization: "Basic dXNlcjpwYXNz"])
            expectProblem(basic, .unauthorized)
        }
    }

    @Test func missingScopeIs403AndReadScopeReads() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let write = try await client.send(.post, "/v1/cases", key: app.readOnlyKeyA, json: ["firstName": "Ada"])
            let problem = expectProblem(write, .forbidden)
            #expect(problem["detail"]?.stringValue?.contains("cases:write") == true)
            #expect(try await client.send(.get, "/v1/cases", key: app.readOnlyKeyA).status == .ok)
            expectProblem(try await client.send(.get, "/v1/parameters/x", key: app.readOnlyKeyA), .forbidden)
        }
    }

    @Test func requestIdIsEchoedOrGenerated() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let given = try await client.send(.get, "/healthz", key: nil, headers: [.init("X-Request-ID")!: "req-123"])
            #expect(given.headers[.init("X-Request-ID")!] == "req-123")
            let generated = try await client.send(.get, "/healthz", key: nil)
            #expect(generated.headers[.init("X-Request-ID")!]?.count == 26)
            let problem = try await client.send(.get, "/v1/cases/nope", key: app.keyA, headers: [.init("X-Request-ID")!: "trace-9"])
            #expect(expectProblem(problem, .notFound)["instance"] == "trace-9")
        }
    }

    @Test func unknownRoutesAre404AndWrongMethodsAre405() async throws {
        let app = try await TestApp()
        try await app.test { client in
            expectProblem(try await client.send(.get, "/nowhere", key: nil), .notFound)
            let wrong = try await client.send(.put, "/v1/cases", key: app.keyA, json: [:])
            expectProblem(wrong, .methodNotAllowed)
            #expect(wrong.headers[.init("Allow")!] == "GET, HEAD, POST")
            let wrongItem = try await client.send(.post, "/v1/cases/abc", key: app.keyA, json: [:])
            #expect(wrongItem.headers[.init("Allow")!] == "GET, HEAD, PATCH, DELETE")
        }
    }
}
