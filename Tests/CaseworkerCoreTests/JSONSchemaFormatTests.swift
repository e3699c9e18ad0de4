import Testing
@testable import CaseworkerCore

@Suite struct JSONSchemaFormatTests {
    private func isValid(_ value: String, format: String) throws -> Bool {
        try violations(.string(value), ["format": .string(format)]).isEmpty
    }

    @Test(arguments: [
        "2024-05-01", "2024-02-29", "2000-02-29", "1999-12-31", "0000-01-01", "9999-12-31",
        "2023-01-31", "2023-04-30",
    ])
    func validDates(_ date: String) throws {
        #expect(try isValid(date, format: "date"))
    }

    @Test(arguments: [
        "2023-02-29", "1900-02-29", "2024-02-30", "2023-04-31", "2023-13-01", "2023-00-10",
        "2023-01-00", "2023-01-32", "2023-1-01", "23-01-01", "2023/01/01", "2023-01-01T00:00:00Z",
        " 2023-01-01", "2023-01-01 ", "", "２０２３-01-01", "2023-0a-01",
    ])
    func invalidDates(_ date: String) throws {
        #expect(try !isValid(date, format: "date"))
    }

    @Test func dateViolationMessage() throws {
        #expect(try violations("2023-02-29", ["format": "date"], at: "/input/born")
            == [fieldError("/input/born", "must be a valid date (YYYY-MM-DD)")])
    }

    @Test(arguments: [
        "2024-05-01T12:00:00Z",
        "2024-05-01t12:00:00z",
        "2024-02-29T23:59:59.999999+01:00",
        "2024-05-01T00:00:00.5Z",
        "2024-05-01T12:00:00-05:30",
        "2024-05-01T12:00:00+23:59",
        "1998-12-31T23:59:60Z",
        "1998-12-31T15:59:60.123-08:00",
        "1999-01-01T00:59:60+01:00",
    ])
    func validDateTimes(_ dateTime: String) throws {
        #expect(try isValid(dateTime, format: "date-time"))
    }

    @Test(arguments: [
        "2024-05-01",
        "2024-05-01T12:00:00",
        "2024-05-01 12:00:00Z",
        "2024-05-01T12:00Z",
        "2024-05-01T24:00:00Z",
        "2024-05-01T12:60:00Z",
        "2024-05-01T12:00:61Z",
        "1998-12-31T23:58:60Z",
        "1998-12-31T22:59:60Z",
        "2024-05-01T12:00:00.Z",
        "2024-05-01T12:00:00+0100",
        "2024-05-01T12:00:00+01",
        "2024-05-01T12:00:00+24:00",
        "2024-05-01T12:00:00+01:60",
        "2024-05-01T12:00:00ZZ",
        "2023-02-29T12:00:00Z",
        "2024-05-01T1:00:00Z",
        "2024-05-01T12:00:00,5Z",
    ])
    func invalidDateTimes(_ dateTime: String) throws {
        #expect(try !isValid(dateTime, format: "date-time"))
    }

    @Test(arguments: [
        "123e4567-e89b-12d3-a456-426614174000",
        "00000000-0000-0000-0000-000000000000",
        "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
        "aBcDeF01-2345-6789-abcd-ef0123456789",
    ])
    func validUUIDs(_ uuid: String) throws {
        #expect(try isValid(uuid, format: "uuid"))
    }

    @Test(arguments: [
        "123e4567e89b12d3a456426614174000",
        "123e4567-e89b-12d3-a456-42661417400",
        "123e4567-e89b-12d3-a456-4266141740000",
        "123e4567-e89b-12d3-a456_426614174000",
        "123e456-7e89b-12d3-a456-426614174000",
        "g23e4567-e89b-12d3-a456-426614174000",
        "{123e4567-e89b-12d3-a456-426614174000}",
        "urn:uuid:123e4567-e89b-12d3-a456-426614174000",
        "",
    ])
    func invalidUUIDs(_ uuid: String) throws {
        #expect(try !isValid(uuid, format: "uuid"))
    }

    @Test func emailUsesEmailAddressRules() throws {
        #expect(try isValid("ada@example.org", format: "email"))
        #expect(try isValid("first.last+tag@sub.example.co", format: "email"))
        #expect(try violations("ada@localhost", ["format": "email"]) == [fieldError("", "must be a valid email address")])
        #expect(try !isValid("ada.@example.org", format: "email"))
        #expect(try !isValid("no-at-sign", format: "email"))
    }

    @Test func formatsIgnoreNonStrings() throws {
        for format in ["date", "date-time", "email", "uuid"] {
            #expect(try violations(42, ["format": .string(format)]).isEmpty)
            #expect(try violations(nil, ["format": .string(format)]).isEmpty)
        }
    }
}
