import CaseworkerCore
import CaseworkerStore
import GRDB

extension SQLiteStore: ParameterSetStore {
    public func createParameterSet(tenantId: String, input: ParameterSetInput) async throws -> ParameterSet {
        let id = newId()
        let now = nowMillis
        return try await write("createParameterSet") { db in
            try db.execute(
                cached: """
                    INSERT INTO parameter_sets (id, tenant_id, workflow_definition_id, version, "values", created_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [id, tenantId, input.workflowDefinitionId, input.version, JSONText.encode(.object(input.values)), now])
            return ParameterSet(
                id: id, workflowDefinitionId: input.workflowDefinitionId, version: input.version,
                values: input.values, createdAt: Timestamp.date(millis: now))
        }
    }

    public func findParameterSet(tenantId: String, id: String) async throws -> ParameterSet? {
        try await pool.read { db in
            guard
                let row = try Row.fetchOne(
                    db, cached: "SELECT * FROM parameter_sets WHERE tenant_id = ? AND id = ?", arguments: [tenantId, id])
            else { return nil }
            let valuesText: String = row["values"]
            return ParameterSet(
                id: row["id"], workflowDefinitionId: row["workflow_definition_id"], version: row["version"],
                values: try JSONText.decode(valuesText).objectValue ?? [:],
                createdAt: Timestamp.date(millis: row["created_at"]))
        }
    }
}
