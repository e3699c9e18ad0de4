import CaseworkerCore
import CaseworkerStore
import PostgresNIO

extension PostgresStore: ParameterSetStore {
    public func createParameterSet(tenantId: String, input: ParameterSetInput) async throws -> ParameterSet {
        let id = newId()
        let now = nowMillis
        let values = JSONText.encode(.object(input.values))
        return try await write("createParameterSet") { tx in
            try await tx.execute(
                """
                INSERT INTO parameter_sets (id, tenant_id, workflow_definition_id, version, "values", created_at)
                VALUES (\(id), \(tenantId), \(input.workflowDefinitionId), \(input.version), \(values), \(now))
                """)
            return ParameterSet(
                id: id, workflowDefinitionId: input.workflowDefinitionId, version: input.version,
                values: input.values, createdAt: Timestamp.date(millis: now))
        }
    }

    public func findParameterSet(tenantId: String, id: String) async throws -> ParameterSet? {
        guard let row = try await row("SELECT * FROM parameter_sets WHERE tenant_id = \(tenantId) AND id = \(id)") else { return nil }
        return ParameterSet(
            id: try row["id"].decode(String.self), workflowDefinitionId: try row["workflow_definition_id"].decode(String.self),
            version: try row["version"].decode(Int?.self),
            values: try JSONText.decode(try row["values"].decode(String.self)).objectValue ?? [:],
            createdAt: Timestamp.date(millis: try row["created_at"].decode(Int64.self)))
    }
}
