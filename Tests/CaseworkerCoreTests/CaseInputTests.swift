import CaseworkerCore
import Testing

@Suite struct CaseInputTests {
    @Test func acceptsEveryFieldAndTreatsNullAsAbsent() throws {
        let fields = try CaseInput.fields(from: [
            "externalId": "crm-1", "firstName": "Ada", "lastName": .null, "email": "ada@example.com", "data": ["k": [1, 2]],
        ])
        #expect(fields == CaseFields(externalId: "crm-1", firstName: "Ada", email: "ada@example.com", data: ["k": [1, 2]]))
    }

    @Test func collectsEveryProblem() {
        #expect(throws: ValidationFailed.self) { try CaseInput.fields(from: "text") }
        do {
            _ = try CaseInput.fields(from: [
                "firstName": true, "companyNumber": .string(String(repeating: "9", count: 257)), "email": "a@b",
                "data": [1], "createdAt": "2026-01-01T00:00:00Z", "colour": "blue",
            ])
            Issue.record("expected a validation failure")
        } catch {
            #expect(
                error.errors.map(\.property).sorted()
                    == ["/colour", "/companyNumber", "/createdAt", "/data", "/email", "/firstName"])
            #expect(error.errors.first { $0.property == "/createdAt" }?.message == "is read-only")
            #expect(error.errors.first { $0.property == "/firstName" }?.message == "must be a string, got boolean")
        }
    }

    @Test func lengthsCountCharactersNotBytes() throws {
        let name = String(repeating: "å", count: 256)  // 512 bytes of UTF-8
        #expect(try CaseInput.fields(from: ["firstName": .string(name)]).firstName == name)
        #expect(throws: ValidationFailed.self) { try CaseInput.fields(from: ["firstName": .string(name + "å")]) }
    }

    @Test func dataIsLimitedTo64KiBOfJSON() throws {
        let fits = JSONValue.object(["s": .string(String(repeating: "a", count: 65_000))])
        #expect(try CaseInput.fields(from: ["data": fits]).data != nil)
        let tooBig = JSONValue.object(["s": .string(String(repeating: "a", count: 66_000))])
        #expect(throws: ValidationFailed([FieldError(property: "/data", message: "must be at most 65536 bytes as JSON")])) {
            try CaseInput.fields(from: ["data": tooBig])
        }
    }

    @Test func patchMergesAndValidatesTheResult() throws {
        let current = CaseFields(firstName: "Ada", lastName: "Lovelace", data: ["a": 1, "nested": ["x": 1, "y": 2]])
        let patched = try CaseInput.patched(current, with: ["lastName": .null, "email": "ada@example.com", "data": ["nested": ["y": .null]]])
        #expect(patched == CaseFields(firstName: "Ada", email: "ada@example.com", data: ["a": 1, "nested": ["x": 1]]))
        #expect(throws: ValidationFailed.self) { try CaseInput.patched(current, with: ["email": 5]) }
        #expect(throws: ValidationFailed.self) { try CaseInput.patched(current, with: [1]) }
    }
}
