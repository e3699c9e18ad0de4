import CaseworkerCore
import Foundation
import HTTPTypes
import Testing

/// Erasure leaves nothing behind: after `DELETE /v1/cases/{id}` the erased values are found
/// nowhere in the database file or its WAL — not in stored idempotent responses, rate-limit
/// keys, computed codes, nor in the file's free space.
@Suite struct ErasureTests {
    @Test func theErasedValuesAreNowhereInTheFile() async throws {
        let app = try await TestApp()
        let email = "ada.erasure-\(UUID().uuidString.prefix(8))@example.com"
        let personalNumber = "19151210-\(Int.random(in: 1000...9999))"
        try await app.test { client in
            let created = try await client.send(
                .post, "/v1/cases", key: app.keyA,
                json: ["firstName": "Augusta", "email": .string(email), "personalNumber": .string(personalNumber)],
                headers: [HTTPField.Name("Idempotency-Key")!: "create-ada"])
            #expect(created.status == .created)
            let caseId = try #require(created.json["id"]?.stringValue)
            let definition: JSONValue = [
                "name": "who", "isDraft": false,
                "rateLimit": ["key": "${case.personalNumber}", "concurrentExecLimit": 1],
                "steps": [
                    ["id": "route", "action": "switch", "config": ["value": "${case.email}"]],
                    ["id": "done", "action": "complete", "config": ["result": ["to": "${case.email}"]]],
                ],
            ]
            #expect(try await client.send(.put, "/v1/workflow-definitions/who", key: app.keyA, json: definition).status == .created)
            let started = try await client.send(
                .post, "/v1/workflows/run", key: app.keyA, json: ["caseId": .string(caseId), "workflowDefinitionId": "who"])
            let runId = try #require(started.json["id"]?.stringValue)
            var status = JSONValue.null
            for _ in 0..<10 where status != "COMPLETED" {
                status = try await client.send(.get, "/v1/workflows/\(runId)?waitSeconds=10&unlessStatus=RUNNING", key: app.keyA).json["status"] ?? .null
            }
            #expect(status == "COMPLETED")
            #expect(try await client.send(.delete, "/v1/cases/\(caseId)", key: app.keyA).status == .noContent)
            // The store checkpointed after the erasure; read the file and whatever WAL is left.
            var bytes = Data()
            for suffix in ["", "-wal"] {
                bytes.append((try? Data(contentsOf: app.directory.appendingPathComponent("test.sqlite" + suffix))) ?? Data())
            }
            #expect(bytes.range(of: Data(caseId.utf8)) != nil, "the case keeps its id: the bytes read are the database's")
            for erased in [email, personalNumber, "Augusta"] {
                #expect(bytes.range(of: Data(erased.utf8)) == nil, "\(erased) is still in the database file")
            }
        }
    }
}
