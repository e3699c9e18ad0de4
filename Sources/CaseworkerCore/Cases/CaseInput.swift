import Foundation

/// Validation of case bodies (`POST /v1/cases`, `PATCH /v1/cases/{id}`), collecting every problem.
///
/// Rules (SPEC 2.2): every field is optional; the person and company fields are strings of at most
/// 256 characters; `email` must be a valid address (`EmailAddress`); `externalId` is 1–256
/// characters; `data` is an object of at most 64 KiB as JSON. `null` means absent. Unknown
/// members are refused, so that a misspelt field never silently disappears.
public enum CaseInput {
    public static let maxFieldLength = 256
    public static let maxDataBytes = 64 * 1024

    static let stringFields: [(name: String, keyPath: WritableKeyPath<CaseFields, String?> & Sendable)] = [
        ("externalId", \.externalId), ("firstName", \.firstName), ("lastName", \.lastName),
        ("personalNumber", \.personalNumber), ("email", \.email), ("companyName", \.companyName),
        ("companyNumber", \.companyNumber), ("companyAddress", \.companyAddress),
    ]
    static let readOnlyFields: Set<String> = ["id", "createdAt", "updatedAt", "erasedAt"]

    /// The fields described by a create body.
    public static func fields(from body: JSONValue) throws(ValidationFailed) -> CaseFields {
        let members = try body.requireObject()
        var fields = CaseFields()
        var errors: [FieldError] = []
        let known = Set(stringFields.map(\.name)).union(["data"])
        for key in members.keys.sorted() where !known.contains(key) {
            let message = readOnlyFields.contains(key) ? "is read-only" : "is not a case field"
            errors.append(FieldError(property: JSONPointer.appending(key, to: ""), message: message))
        }
        for (name, keyPath) in stringFields {
            let pointer = JSONPointer.appending(name, to: "")
            switch members[name] {
            case nil, .null?:
                continue
            case .string(let value)?:
                if name == "externalId" && value.isEmpty {
                    errors.append(FieldError(property: pointer, message: "must not be empty"))
                } else if value.codePointCount > maxFieldLength {
                    errors.append(FieldError(property: pointer, message: "must be at most \(maxFieldLength) characters"))
                } else if name == "email" && !EmailAddress.isValid(value) {
                    errors.append(FieldError(property: pointer, message: "must be a valid email address"))
                } else {
                    fields[keyPath: keyPath] = value
                }
            case let other?:
                errors.append(FieldError(property: pointer, message: "must be a string, got \(other.typeName)"))
            }
        }
        switch members["data"] {
        case nil, .null?:
            break
        case .object(let data)?:
            if JSONText.encode(.object(data)).utf8.count > maxDataBytes {
                errors.append(FieldError(property: "/data", message: "must be at most \(maxDataBytes) bytes as JSON"))
            } else {
                fields.data = data
            }
        case let other?:
            errors.append(FieldError(property: "/data", message: "must be an object, got \(other.typeName)"))
        }
        if !errors.isEmpty { throw ValidationFailed(errors) }
        return fields
    }

    /// `fields` changed by a JSON merge patch (RFC 7396), validated as a whole. Error pointers
    /// point into the patch body.
    public static func patched(_ fields: CaseFields, with patch: JSONValue) throws(ValidationFailed) -> CaseFields {
        _ = try patch.requireObject()
        return try self.fields(from: JSONMergePatch.apply(patch, to: json(of: fields)))
    }

    /// The writable fields as a JSON object (absent fields left out).
    public static func json(of fields: CaseFields) -> JSONValue {
        var object: [String: JSONValue] = [:]
        for (name, keyPath) in stringFields {
            if let value = fields[keyPath: keyPath] { object[name] = .string(value) }
        }
        if let data = fields.data { object["data"] = .object(data) }
        return .object(object)
    }
}
