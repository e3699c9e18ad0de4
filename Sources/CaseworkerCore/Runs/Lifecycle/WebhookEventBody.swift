import Foundation

/// The body of a webhook event (SPEC 3), made when the change that causes it is decided.
public enum WebhookEventBody {
    /// The largest event body, in bytes (SPEC 3: 256 KiB).
    public static let maxBytes = 256 * 1024

    /// `{"type", "timestamp", "data"}` (compact JSON, sorted keys), `timestamp` being the RFC 3339
    /// form of `timestamp`: stored exactly as it will be sent and signed. When it would exceed
    /// 256 KiB, `data.result` is left out and `data.resultTruncated: true` tells the receiver to
    /// fetch `/v1/workflows/{id}/result`; if it is still too large, only the short identifying
    /// members of `data` are kept (and `data.errorTruncated: true`).
    public static func make(type: WebhookEventType, timestamp: Date, data: JSONValue) -> String {
        func encode(_ data: JSONValue) -> String {
            JSONText.encode(["type": .string(type.rawValue), "timestamp": .string(Timestamp.rfc3339(timestamp)), "data": data])
        }
        let full = encode(data)
        guard full.utf8.count > maxBytes, var members = data.objectValue else { return full }
        members["result"] = nil
        members["resultTruncated"] = true
        let withoutResult = encode(.object(members))
        guard withoutResult.utf8.count > maxBytes else { return withoutResult }
        var short: [String: JSONValue] = ["resultTruncated": true, "errorTruncated": true]
        for key in ["id", "caseId", "workflowDefinitionId", "version", "status", "correlationId"] {
            if let value = members[key], JSONText.encode(value).utf8.count <= 1024 { short[key] = value }
        }
        return encode(.object(short))
    }
}

extension Run {
    /// `data` of the run's webhook events (SPEC 3).
    public var eventData: JSONValue {
        [
            "id": .string(id), "caseId": .string(caseId), "workflowDefinitionId": .string(workflowDefinitionId),
            "version": .int(version), "status": .string(status.rawValue), "result": result ?? .null, "error": error?.json ?? .null,
            "correlationId": correlationId.map(JSONValue.string) ?? .null,
        ]
    }

    /// The outbox event `type` of this run, with `data` (default `eventData`), at `context.now`.
    public func event(_ type: WebhookEventType, data: JSONValue? = nil, context: LifecycleContext) -> OutboxEvent {
        OutboxEvent(
            id: "msg_" + context.newId(), tenantId: tenantId, type: type,
            body: WebhookEventBody.make(type: type, timestamp: context.now, data: data ?? eventData), runId: id,
            definitionId: workflowDefinitionId)
    }

    /// The outbox event of a custom event published by one of the run's steps: `data` is `{id,
    /// caseId, workflowDefinitionId, version, correlationId, stepId, payload}`, `id` being the
    /// run's.
    public func customEvent(_ event: EmittedEvent, context: LifecycleContext) -> OutboxEvent {
        let data: JSONValue = [
            "id": .string(id), "caseId": .string(caseId), "workflowDefinitionId": .string(workflowDefinitionId),
            "version": .int(version), "correlationId": correlationId.map(JSONValue.string) ?? .null,
            "stepId": .string(event.stepId), "payload": event.payload,
        ]
        return OutboxEvent(
            id: event.id, tenantId: tenantId, type: event.type,
            body: WebhookEventBody.make(type: event.type, timestamp: context.now, data: data), runId: id,
            definitionId: workflowDefinitionId)
    }
}
