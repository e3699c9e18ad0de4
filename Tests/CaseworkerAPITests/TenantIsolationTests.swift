import CaseworkerCore
import Testing

/// Tenant B's key never sees or changes tenant A's resources: every such id answers 404, exactly
/// like an unknown id, and nothing changes.
@Suite struct TenantIsolationTests {
    @Test func anotherTenantsCaseIsInvisibleAndUntouchable() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let id = try await client.createCase(key: app.keyA, CaseRoutesTests.ada)
            let before = try await client.send(.get, "/v1/cases/\(id)", key: app.keyA).json

            expectProblem(try await client.send(.get, "/v1/cases/\(id)", key: app.keyB), .notFound)
            expectProblem(try await client.send(.patch, "/v1/cases/\(id)", key: app.keyB, json: ["firstName": "Mallory"]), .notFound)
            expectProblem(try await client.send(.delete, "/v1/cases/\(id)", key: app.keyB), .notFound)
            let listB = try await client.send(.get, "/v1/cases", key: app.keyB).json
            #expect(listB["items"] == [])
            let byExternalB = try await client.send(.get, "/v1/cases?externalId=crm-4411", key: app.keyB).json
            #expect(byExternalB["items"] == [])

            #expect(try await client.send(.get, "/v1/cases/\(id)", key: app.keyA).json == before)
        }
    }

    @Test func anotherTenantsParameterSetIsInvisible() async throws {
        let app = try await TestApp()
        try await app.test { client in
            try await ParameterSetRoutesTests.publishDefinitions(client, key: app.keyA)
            let created = try await client.send(.post, "/v1/parameters", key: app.keyA, json: ["workflowDefinitionId": "kyc", "values": ["threshold": 60]])
            let id = try #require(created.json["id"]?.stringValue)
            expectProblem(try await client.send(.get, "/v1/parameters/\(id)", key: app.keyB), .notFound)
            #expect(try await client.send(.get, "/v1/parameters/\(id)", key: app.keyA).status == .ok)
        }
    }
}
