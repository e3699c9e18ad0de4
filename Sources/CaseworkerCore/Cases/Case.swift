import Foundation

/// A person or a company that workflows run for.
///
/// A case is never deleted: erasure (`DELETE /v1/cases/{id}`) wipes every personal and company
/// field, `externalId` and `data`, and keeps the id with `erasedAt`, so that runs still point at it.
public struct Case: Sendable, Hashable {
    public var id: String
    public var fields: CaseFields
    public var createdAt: Date
    public var updatedAt: Date
    public var erasedAt: Date?

    public init(id: String, fields: CaseFields, createdAt: Date, updatedAt: Date, erasedAt: Date?) {
        self.id = id
        self.fields = fields
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.erasedAt = erasedAt
    }

    public var isErased: Bool { erasedAt != nil }
}

/// The client-writable fields of a case. All optional.
public struct CaseFields: Sendable, Hashable {
    /// The backend's own id for the case, unique per tenant.
    public var externalId: String?
    public var firstName: String?
    public var lastName: String?
    public var personalNumber: String?
    public var email: String?
    public var companyName: String?
    public var companyNumber: String?
    public var companyAddress: String?
    /// Free-form object, at most 64 KiB as JSON.
    public var data: [String: JSONValue]?

    public init(
        externalId: String? = nil, firstName: String? = nil, lastName: String? = nil,
        personalNumber: String? = nil, email: String? = nil, companyName: String? = nil,
        companyNumber: String? = nil, companyAddress: String? = nil, data: [String: JSONValue]? = nil
    ) {
        self.externalId = externalId
        self.firstName = firstName
        self.lastName = lastName
        self.personalNumber = personalNumber
        self.email = email
        self.companyName = companyName
        self.companyNumber = companyNumber
        self.companyAddress = companyAddress
        self.data = data
    }

    /// What remains of a case after erasure: nothing.
    public static let erased = CaseFields()
}
