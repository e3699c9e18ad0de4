import CaseworkerCore
import CaseworkerStore

extension WebhookDelivery {
    /// The API representation of a delivery in the attempt log: every field present.
    var representation: JSONValue {
        [
            "id": .string(id),
            "eventId": .string(eventId),
            "eventType": .string(eventType.rawValue),
            "endpointId": .string(endpointId),
            "status": .string(status.rawValue),
            "attemptCount": .int(attemptCount),
            "nextAttemptAt": nextAttemptAt.map { .string(Timestamp.rfc3339($0)) } ?? .null,
            "lastError": lastError.map(JSONValue.string) ?? .null,
            "createdAt": .string(Timestamp.rfc3339(createdAt)),
            "updatedAt": .string(Timestamp.rfc3339(updatedAt)),
        ]
    }
}

extension WebhookDeliveryDetail {
    /// A delivery with the body sent (`payload`, as JSON) and every attempt, oldest first.
    var representation: JSONValue {
        var object = delivery.representation.objectValue ?? [:]
        object["payload"] = (try? JSONText.decode(body)) ?? .string(body)
        object["attempts"] = .array(
            attempts.map { attempt in
                [
                    "attempt": .int(attempt.attempt),
                    "at": .string(Timestamp.rfc3339(attempt.at)),
                    "responseStatus": attempt.responseStatus.map(JSONValue.int) ?? .null,
                    "durationMs": .int(attempt.durationMs),
                    "responseBody": attempt.responseBody.map(JSONValue.string) ?? .null,
                    "error": attempt.error.map(JSONValue.string) ?? .null,
                ]
            })
        return .object(object)
    }
}
