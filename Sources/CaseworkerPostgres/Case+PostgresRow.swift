import CaseworkerCore
import CaseworkerStore
import PostgresNIO

extension Case {
    /// A case from a row of `cases`.
    init(row: PostgresRandomAccessRow) throws {
        self.init(
            id: try row["id"].decode(String.self),
            fields: CaseFields(
                externalId: try row["external_id"].decode(String?.self), firstName: try row["first_name"].decode(String?.self),
                lastName: try row["last_name"].decode(String?.self), personalNumber: try row["personal_number"].decode(String?.self),
                email: try row["email"].decode(String?.self), companyName: try row["company_name"].decode(String?.self),
                companyNumber: try row["company_number"].decode(String?.self),
                companyAddress: try row["company_address"].decode(String?.self),
                data: try CaseFields.data(columnText: try row["data"].decode(String?.self))),
            createdAt: Timestamp.date(millis: try row["created_at"].decode(Int64.self)),
            updatedAt: Timestamp.date(millis: try row["updated_at"].decode(Int64.self)),
            erasedAt: try row["erased_at"].decode(Int64?.self).map(Timestamp.date(millis:)))
    }
}
