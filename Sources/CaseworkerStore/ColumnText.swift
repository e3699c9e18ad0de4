import CaseworkerCore

// How both stores write domain values into their text columns and read them back: the SQLite
// and the PostgreSQL schema have the same columns, holding the same text.

extension Array where Element == Scope {
    /// `api_keys.scopes`: the scopes separated by spaces.
    public var columnText: String { map(\.description).joined(separator: " ") }

    /// The scopes of an `api_keys.scopes` text (unknown ones are skipped).
    public init(columnText: String) {
        self = columnText.split(separator: " ").compactMap { Scope(String($0)) }
    }
}

extension CaseFields {
    /// `cases.data`: the object as JSON, `nil` when absent.
    public var dataColumnText: String? { data.map { JSONText.encode(.object($0)) } }

    /// The object of a `cases.data` text.
    public static func data(columnText: String?) throws -> [String: JSONValue]? {
        try columnText.map { try JSONText.decode($0).objectValue ?? [:] }
    }
}

extension WebhookEndpointFields {
    /// `webhook_endpoints.events`: a JSON array of event type names.
    public var eventsColumnText: String { JSONText.encode(.array(events.map { .string($0.rawValue) })) }

    /// `webhook_endpoints.workflow_definition_ids`: `nil` for every definition, else a JSON array
    /// of ids.
    public var definitionIdsColumnText: String? { workflowDefinitionIds.map { JSONText.encode(.array($0.map(JSONValue.string))) } }

    /// The event types of an `events` text (unknown names are skipped).
    public static func events(columnText: String) throws -> [WebhookEventType] {
        (try JSONText.decode(columnText).arrayValue ?? []).compactMap { $0.stringValue.flatMap(WebhookEventType.init) }
    }

    /// The definition ids of a `workflow_definition_ids` text.
    public static func definitionIds(columnText: String?) throws -> [String]? {
        try columnText.map { (try JSONText.decode($0).arrayValue ?? []).compactMap(\.stringValue) }
    }
}

extension StoredResponse {
    /// `idempotency_keys.response_headers`: the headers as a JSON object.
    public var headersColumnText: String { JSONText.encode(.object(headers.mapValues(JSONValue.string))) }

    /// The headers of a `response_headers` text.
    public static func headers(columnText: String) throws -> [String: String] {
        (try JSONText.decode(columnText).objectValue ?? [:]).compactMapValues(\.stringValue)
    }
}
