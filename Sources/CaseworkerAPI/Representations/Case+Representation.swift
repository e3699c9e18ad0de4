import CaseworkerCore

extension Case {
    /// The API representation of a case: every field present, `null` when absent.
    var representation: JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return [
            "id": .string(id),
            "externalId": text(fields.externalId),
            "firstName": text(fields.firstName),
            "lastName": text(fields.lastName),
            "personalNumber": text(fields.personalNumber),
            "email": text(fields.email),
            "companyName": text(fields.companyName),
            "companyNumber": text(fields.companyNumber),
            "companyAddress": text(fields.companyAddress),
            "data": fields.data.map(JSONValue.object) ?? .null,
            "createdAt": .string(Timestamp.rfc3339(createdAt)),
            "updatedAt": .string(Timestamp.rfc3339(updatedAt)),
            "erasedAt": erasedAt.map { .string(Timestamp.rfc3339($0)) } ?? .null,
        ]
    }
}
