import CaseworkerCore
import CaseworkerStore
import PostgresNIO

extension DefinitionVersion {
    /// A version from a row of `workflow_definition_versions`, with what is known of its
    /// definition as a whole.
    init(row: PostgresRandomAccessRow, definitionId: String, versions: [Int], hasDraft: Bool, disabled: Bool) throws {
        self.init(
            definitionId: definitionId, version: try row["version"].decode(Int.self), versionId: try row["version_id"].decode(String.self),
            content: try JSONText.decode(try row["content"].decode(String.self)), hash: try row["hash"].decode(String.self),
            versions: versions, hasDraft: hasDraft, disabled: disabled,
            createdAt: Timestamp.date(millis: try row["created_at"].decode(Int64.self)), createdBy: try row["created_by"].decode(String.self),
            updatedAt: Timestamp.date(millis: try row["updated_at"].decode(Int64.self)), updatedBy: try row["updated_by"].decode(String.self),
            channel: try row["channel"].decode(String?.self))
    }
}
