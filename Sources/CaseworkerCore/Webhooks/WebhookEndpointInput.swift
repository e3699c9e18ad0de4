import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Validation of webhook endpoint bodies (`POST /v1/webhook-endpoints`, `PATCH .../{id}`),
/// collecting every problem with its JSON pointer.
///
/// Rules (SPEC 3): `url` is required, an absolute `http` or `https` URL of at most 2048
/// characters with a host and without user info or fragment; `description` is a string of at
/// most 1024 characters or `null`; `events` is a non-empty array of distinct known event types
/// (`WebhookEventType`), default the four terminal ones; `workflowDefinitionIds` is a non-empty
/// array of distinct definition ids (at most `maxDefinitionIds`), or `null`/absent for every
/// definition; `enabled` is a boolean, default `true`.
/// `secret` is checked by the caller (it needs the signing module), and only on create. Unknown
/// members are refused.
public enum WebhookEndpointInput {
    public static let maxURLLength = 2048
    public static let maxDescriptionLength = 1024
    public static let maxDefinitionIds = 100
    static let readOnly: Set<String> = [
        "id", "createdAt", "updatedAt", "disabledReason", "failingSince", "previousSecretExpiresAt",
    ]

    /// What the fields of a body are, and where the secret text is (if any).
    public struct Parsed: Sendable {
        public var url: String
        public var description: String?
        public var events: [WebhookEventType]
        /// The definitions whose runs' events the endpoint receives; `nil`: every definition.
        public var workflowDefinitionIds: [String]?
        public var enabled: Bool
    }

    /// Reads a create body (`allowSecret: true`) or a patched whole (`false`). The `secret`
    /// member, when allowed, is left for the caller to validate.
    public static func parse(_ body: JSONValue, allowSecret: Bool) throws(ValidationFailed) -> Parsed {
        let members = try body.requireObject()
        var errors: [FieldError] = []
        let known: Set<String> = ["url", "description", "events", "workflowDefinitionIds", "enabled"]
        for key in members.keys.sorted() where !known.contains(key) {
            let pointer = JSONPointer.appending(key, to: "")
            if key == "secret" {
                if !allowSecret {
                    errors.append(FieldError(property: pointer, message: "cannot be patched; use POST /v1/webhook-endpoints/{id}/rotate-secret"))
                }
            } else {
                errors.append(FieldError(property: pointer, message: readOnly.contains(key) ? "is read-only" : "is not a webhook endpoint field"))
            }
        }

        var url = ""
        switch members["url"] {
        case nil, .null?: errors.append(FieldError(property: "/url", message: "is required"))
        case .string(let text)?:
            if let problem = urlProblem(text) { errors.append(FieldError(property: "/url", message: problem)) } else { url = text }
        case let other?: errors.append(FieldError(property: "/url", message: "must be a string, got \(other.typeName)"))
        }

        var description: String?
        switch members["description"] {
        case nil, .null?: break
        case .string(let text)?:
            if text.codePointCount > maxDescriptionLength {
                errors.append(FieldError(property: "/description", message: "must be at most \(maxDescriptionLength) characters"))
            } else {
                description = text
            }
        case let other?: errors.append(FieldError(property: "/description", message: "must be a string, got \(other.typeName)"))
        }

        var events = WebhookEventType.defaultSubscription
        switch members["events"] {
        case nil, .null?: break
        case .array(let items)?:
            if items.isEmpty { errors.append(FieldError(property: "/events", message: "must list at least one event type")) }
            var seen: [WebhookEventType] = []
            for (index, item) in items.enumerated() {
                let pointer = JSONPointer.appending(index, to: "/events")
                guard let name = item.stringValue, let type = WebhookEventType(rawValue: name) else {
                    errors.append(FieldError(property: pointer, message: "must be \(WebhookEventType.expectation)"))
                    continue
                }
                if seen.contains(type) {
                    errors.append(FieldError(property: pointer, message: "lists \(name) twice"))
                } else {
                    seen.append(type)
                }
            }
            events = seen
        case let other?: errors.append(FieldError(property: "/events", message: "must be an array of event types, got \(other.typeName)"))
        }

        var definitionIds: [String]?
        switch members["workflowDefinitionIds"] {
        case nil, .null?: break
        case .array(let items)?:
            if items.isEmpty {
                errors.append(FieldError(property: "/workflowDefinitionIds", message: "must list at least one definition id; omit it (or null) for every definition"))
            } else if items.count > maxDefinitionIds {
                errors.append(FieldError(property: "/workflowDefinitionIds", message: "must list at most \(maxDefinitionIds) definition ids"))
            }
            var seen: [String] = []
            var distinct: Set<String> = []
            for (index, item) in items.prefix(maxDefinitionIds).enumerated() {
                let pointer = JSONPointer.appending(index, to: "/workflowDefinitionIds")
                guard let id = item.stringValue, DefinitionID.isValid(id) else {
                    errors.append(FieldError(property: pointer, message: "must be a definition id (1–128 letters, digits, '-', '_', '.')"))
                    continue
                }
                if distinct.insert(id).inserted { seen.append(id) } else { errors.append(FieldError(property: pointer, message: "lists \(id) twice")) }
            }
            definitionIds = seen
        case let other?:
            errors.append(FieldError(property: "/workflowDefinitionIds", message: "must be an array of definition ids, got \(other.typeName)"))
        }

        var enabled = true
        switch members["enabled"] {
        case nil: break
        case .bool(let flag)?: enabled = flag
        case let other?: errors.append(FieldError(property: "/enabled", message: "must be a boolean, got \(other.typeName)"))
        }

        if !errors.isEmpty { throw ValidationFailed(errors) }
        return Parsed(url: url, description: description, events: events, workflowDefinitionIds: definitionIds, enabled: enabled)
    }

    /// The whole after a JSON merge patch of `current` (`{url, description, events,
    /// workflowDefinitionIds, enabled}`), validated; `url` and `enabled` cannot be removed, a
    /// `null` `events` restores the default and a `null` `workflowDefinitionIds` subscribes the
    /// endpoint to every definition again.
    public static func patched(_ current: JSONValue, with patch: JSONValue) throws(ValidationFailed) -> Parsed {
        let members = try patch.requireObject()
        var nulls: [FieldError] = []
        for key in ["url", "enabled"] where members[key] == .null {
            nulls.append(FieldError(property: JSONPointer.appending(key, to: ""), message: "cannot be removed"))
        }
        let parsed: Parsed
        do {
            parsed = try parse(JSONMergePatch.apply(patch, to: current), allowSecret: false)
        } catch {
            // A removed `url` also reads as "is required": report it once, as removed.
            throw ValidationFailed(nulls + error.errors.filter { error in !nulls.contains { $0.property == error.property } })
        }
        if !nulls.isEmpty { throw ValidationFailed(nulls) }
        return parsed
    }

    /// Whether `host` is `[` + an IPv6 address + `]` (no zone id, no IPvFuture): URLComponents
    /// accepts anything between the brackets (`http://[F:90ec]/`), which no delivery could reach.
    static func isIPv6Literal(_ host: String) -> Bool {
        guard host.hasPrefix("["), host.hasSuffix("]"), host.count > 2 else { return false }
        var address = in6_addr()
        return inet_pton(AF_INET6, String(host.dropFirst().dropLast()), &address) == 1
    }

    /// Why `text` is not an acceptable endpoint URL, or `nil`.
    public static func urlProblem(_ text: String) -> String? {
        guard text.codePointCount <= maxURLLength else { return "must be at most \(maxURLLength) characters" }
        guard !text.contains(where: { $0.isWhitespace }), let components = URLComponents(string: text) else {
            return "must be an absolute http or https URL"
        }
        guard let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            return "must be an absolute http or https URL"
        }
        guard let host = components.host, !host.isEmpty else { return "must name a host" }
        if host.hasPrefix("[") && !isIPv6Literal(host) { return "must have a valid IPv6 address between [ and ]" }
        if components.user != nil || components.password != nil { return "must not contain user info (credentials)" }
        if components.fragment != nil { return "must not have a fragment" }
        if let port = components.port, !(1...65535).contains(port) { return "must have a port from 1 to 65535" }
        return nil
    }
}
