import CaseworkerCore

extension ParameterSet {
    /// The API representation of a parameter set (`version` is `null` when none was checked).
    var representation: JSONValue {
        [
            "id": .string(id),
            "workflowDefinitionId": .string(workflowDefinitionId),
            "version": version.map(JSONValue.int) ?? .null,
            "values": .object(values),
            "createdAt": .string(Timestamp.rfc3339(createdAt)),
        ]
    }
}
