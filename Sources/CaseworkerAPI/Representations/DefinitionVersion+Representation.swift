import CaseworkerCore
import CaseworkerStore

extension DefinitionVersion {
    /// The API representation: the content as saved, plus what the server knows about it.
    var representation: JSONValue {
        var object = content.objectValue ?? [:]
        object["id"] = .string(definitionId)
        object["version"] = .int(version)
        object["isDraft"] = .bool(version == DefinitionVersion.draft)
        object["versionId"] = .string(versionId)
        object["versions"] = .array(versions.map(JSONValue.int))
        object["hasDraft"] = .bool(hasDraft)
        object["hash"] = .string(hash)
        object["disabled"] = .bool(disabled)
        object["createdAt"] = .string(Timestamp.rfc3339(createdAt))
        object["createdBy"] = .string(createdBy)
        object["updatedAt"] = .string(Timestamp.rfc3339(updatedAt))
        object["updatedBy"] = .string(updatedBy)
        object["channel"] = channel.map(JSONValue.string) ?? .null
        return .object(object)
    }

    /// The short form listed by `/versions`.
    var versionSummary: JSONValue {
        [
            "version": .int(version), "versionId": .string(versionId), "hash": .string(hash),
            "createdAt": .string(Timestamp.rfc3339(createdAt)), "createdBy": .string(createdBy),
        ]
    }
}
