import CaseworkerCore
import CaseworkerStore

extension WebhookEndpoint {
    /// The API representation of an endpoint: every field present, never a secret.
    var representation: JSONValue {
        [
            "id": .string(id),
            "url": .string(fields.url),
            "description": fields.description.map(JSONValue.string) ?? .null,
            "events": .array(fields.events.map { .string($0.rawValue) }),
            "workflowDefinitionIds": fields.workflowDefinitionIds.map { .array($0.map(JSONValue.string)) } ?? .null,
            "enabled": .bool(fields.enabled),
            "disabledReason": disabledReason.map(JSONValue.string) ?? .null,
            "failingSince": failingSince.map { .string(Timestamp.rfc3339($0)) } ?? .null,
            "previousSecretExpiresAt": previousSecretExpiresAt.map { .string(Timestamp.rfc3339($0)) } ?? .null,
            "createdAt": .string(Timestamp.rfc3339(createdAt)),
            "updatedAt": .string(Timestamp.rfc3339(updatedAt)),
        ]
    }

    /// The representation with the current `secret`: only the answers of create and rotate-secret.
    var representationWithSecret: JSONValue {
        var object = representation.objectValue ?? [:]
        object["secret"] = .string(secret)
        return .object(object)
    }

    /// The fields a `PATCH` merges into.
    var patchable: JSONValue {
        [
            "url": .string(fields.url),
            "description": fields.description.map(JSONValue.string) ?? .null,
            "events": .array(fields.events.map { .string($0.rawValue) }),
            "workflowDefinitionIds": fields.workflowDefinitionIds.map { .array($0.map(JSONValue.string)) } ?? .null,
            "enabled": .bool(fields.enabled),
        ]
    }
}
