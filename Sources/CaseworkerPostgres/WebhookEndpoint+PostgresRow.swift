import CaseworkerCore
import CaseworkerStore
import PostgresNIO

extension WebhookEndpoint {
    /// An endpoint from a row of `webhook_endpoints`.
    init(row: PostgresRandomAccessRow) throws {
        self.init(
            id: try row["id"].decode(String.self), tenantId: try row["tenant_id"].decode(String.self),
            fields: WebhookEndpointFields(
                url: try row["url"].decode(String.self), description: try row["description"].decode(String?.self),
                events: try WebhookEndpointFields.events(columnText: try row["events"].decode(String.self)),
                workflowDefinitionIds: try WebhookEndpointFields.definitionIds(
                    columnText: try row["workflow_definition_ids"].decode(String?.self)),
                enabled: try row["enabled"].decode(Bool.self)),
            secret: try row["secret"].decode(String.self), previousSecret: try row["previous_secret"].decode(String?.self),
            previousSecretExpiresAt: try row["previous_secret_expires_at"].decode(Int64?.self).map(Timestamp.date(millis:)),
            disabledReason: try row["disabled_reason"].decode(String?.self),
            failingSince: try row["failing_since"].decode(Int64?.self).map(Timestamp.date(millis:)),
            createdAt: Timestamp.date(millis: try row["created_at"].decode(Int64.self)),
            updatedAt: Timestamp.date(millis: try row["updated_at"].decode(Int64.self)))
    }
}
