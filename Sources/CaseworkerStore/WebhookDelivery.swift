import CaseworkerCore
import Foundation

/// Where a delivery is in its life (the `status` column; see `docs/ARCHITECTURE.md`).
///
/// ```
/// PENDING --(dispatcher claims it when due)--> DELIVERING
/// DELIVERING --(2xx)--> SUCCEEDED
/// DELIVERING --(failure, attempts left)--> PENDING (next_attempt_at = the schedule's next)
/// DELIVERING --(failure, schedule exhausted | 410 | endpoint disabled)--> FAILED
/// DELIVERING --(lease expired: the process died mid-attempt)--> DELIVERING (claimed again)
/// PENDING --(endpoint disabled)--> FAILED
/// ```
/// `SUCCEEDED` and `FAILED` are final; a redelivery creates a new delivery of the same event.
public enum DeliveryStatus: String, Sendable, Hashable, CaseIterable {
    case pending = "PENDING"
    case delivering = "DELIVERING"
    case succeeded = "SUCCEEDED"
    case failed = "FAILED"
}

/// One event to be delivered to one endpoint, as the attempt log shows it.
public struct WebhookDelivery: Sendable, Hashable {
    public var id: String
    public var tenantId: String
    /// The event id: the `webhook-id` header of every attempt.
    public var eventId: String
    public var eventType: WebhookEventType
    public var endpointId: String
    public var status: DeliveryStatus
    /// Attempts recorded so far.
    public var attemptCount: Int
    /// When the next attempt is due; set only while `PENDING`.
    public var nextAttemptAt: Date?
    /// The error or unexpected status of the latest failed attempt.
    public var lastError: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, tenantId: String, eventId: String, eventType: WebhookEventType, endpointId: String, status: DeliveryStatus,
        attemptCount: Int, nextAttemptAt: Date?, lastError: String?, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.tenantId = tenantId
        self.eventId = eventId
        self.eventType = eventType
        self.endpointId = endpointId
        self.status = status
        self.attemptCount = attemptCount
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// One recorded attempt of a delivery.
public struct DeliveryAttempt: Sendable, Hashable {
    /// 1 for the first attempt of the delivery.
    public var attempt: Int
    public var at: Date
    /// The HTTP status received; `nil` when none was (timeout, refused, SSRF guard...).
    public var responseStatus: Int?
    public var durationMs: Int
    /// The first 4 KiB of the response body (invalid UTF-8 replaced).
    public var responseBody: String?
    /// What went wrong before a response, e.g. `timeout: no response within 15 s`.
    public var error: String?

    public init(attempt: Int, at: Date, responseStatus: Int?, durationMs: Int, responseBody: String?, error: String?) {
        self.attempt = attempt
        self.at = at
        self.responseStatus = responseStatus
        self.durationMs = durationMs
        self.responseBody = responseBody
        self.error = error
    }
}

/// A delivery with its event body and every attempt, for `GET /v1/webhook-deliveries/{id}`.
public struct WebhookDeliveryDetail: Sendable, Hashable {
    public var delivery: WebhookDelivery
    /// The exact JSON body sent.
    public var body: String
    /// Oldest first.
    public var attempts: [DeliveryAttempt]

    public init(delivery: WebhookDelivery, body: String, attempts: [DeliveryAttempt]) {
        self.delivery = delivery
        self.body = body
        self.attempts = attempts
    }
}

/// Filters of the delivery list; `nil` means any.
public struct DeliveryFilter: Sendable, Hashable {
    public var endpointId: String?
    public var status: DeliveryStatus?
    public var eventType: WebhookEventType?

    public init(endpointId: String? = nil, status: DeliveryStatus? = nil, eventType: WebhookEventType? = nil) {
        self.endpointId = endpointId
        self.status = status
        self.eventType = eventType
    }
}

/// A delivery the dispatcher has claimed (leased) for one attempt: everything the attempt needs,
/// read in the claiming transaction.
public struct ClaimedDelivery: Sendable, Hashable {
    public var id: String
    public var tenantId: String
    public var eventId: String
    public var eventType: WebhookEventType
    /// The exact JSON body to send.
    public var body: String
    public var endpointId: String
    public var url: String
    /// The endpoint's secrets active at the claim's `now` (current first).
    public var secrets: [String]
    /// The number of this attempt (recorded attempts + 1).
    public var attempt: Int
    public var leaseExpiresAt: Date

    public init(
        id: String, tenantId: String, eventId: String, eventType: WebhookEventType, body: String, endpointId: String,
        url: String, secrets: [String], attempt: Int, leaseExpiresAt: Date
    ) {
        self.id = id
        self.tenantId = tenantId
        self.eventId = eventId
        self.eventType = eventType
        self.body = body
        self.endpointId = endpointId
        self.url = url
        self.secrets = secrets
        self.attempt = attempt
        self.leaseExpiresAt = leaseExpiresAt
    }
}

/// What the dispatcher decided after an attempt (by the pure policies of CaseworkerWebhooks).
public enum DeliveryResolution: Sendable, Hashable {
    /// 2xx: the delivery is `SUCCEEDED` and the endpoint no longer failing.
    case succeeded
    /// A failure with attempts left: back to `PENDING`, due at `at`.
    case retry(at: Date)
    /// A failure that exhausted the schedule: `FAILED`.
    case exhausted
    /// 410 Gone: `FAILED`, and the endpoint is disabled.
    case gone
}

/// What `recordAttempt` did.
public struct RecordedAttempt: Sendable, Hashable {
    /// The delivery's status after the attempt.
    public var status: DeliveryStatus
    /// Set when this attempt disabled the endpoint: the reason stored on it.
    public var endpointDisabledReason: String?

    public init(status: DeliveryStatus, endpointDisabledReason: String?) {
        self.status = status
        self.endpointDisabledReason = endpointDisabledReason
    }
}
