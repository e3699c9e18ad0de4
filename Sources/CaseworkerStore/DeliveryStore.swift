import CaseworkerCore
import Foundation

/// The webhook outbox: deliveries, their leases and their attempt log (SPEC 3).
///
/// Events and their deliveries are written by the engine inside its own transactions (see
/// `SQLiteStore.enqueueEvent`); the dispatcher claims due deliveries with a lease, sends them
/// without any transaction open, and records each attempt in one transaction.
public protocol DeliveryStore: Sendable {
    /// Leases up to `limit` due deliveries to `leaseOwner` until `now + leaseDuration`, in one
    /// write transaction, oldest due first. Its cost grows with the deliveries it leases, not
    /// with the backlog of due ones.
    ///
    /// Due means `PENDING` with `next_attempt_at <= now`, or `DELIVERING` with an expired lease (a
    /// process died mid-attempt: the receiver may see the event twice, never zero times). Only
    /// enabled endpoints are served, and no endpoint gets more than `perEndpointLimit` minus its
    /// `inFlight` count, so one slow endpoint cannot fill a claim.
    func claimDueDeliveries(
        limit: Int, perEndpointLimit: Int, inFlight: [String: Int], leaseOwner: String, leaseDuration: Duration, now: Date
    ) async throws -> [ClaimedDelivery]

    /// Makes every delivery still leased (`DELIVERING`) claimable again at once, and returns how
    /// many there were: the start-up rescue of work left in flight by a process that died.
    ///
    /// Only for a store served by one dispatcher at a time (SQLite: one daemon per file), where
    /// every lease found at start-up belongs to a dead process. Attempts it interrupted are sent
    /// again with the same `webhook-id`; they were never recorded, so they are not counted.
    func releaseAbandonedLeases(now: Date) async throws -> Int

    /// Stores one attempt and its consequences in one transaction: the attempt row; the delivery
    /// moved to `SUCCEEDED`, `PENDING` (`.retry`) or `FAILED`; the endpoint's `failingSince`
    /// cleared on success or set on the first failure; the endpoint disabled on `.gone`, or when
    /// `shouldDisableEndpoint(failingSince)` says it has failed for too long (its other pending
    /// deliveries then fail too).
    ///
    /// Returns `nil`, changing nothing, when the delivery is no longer leased to `leaseOwner` for
    /// this attempt (its lease expired and another claim took it, or the endpoint was deleted).
    func recordAttempt(
        deliveryId: String, leaseOwner: String, attempt: DeliveryAttempt, resolution: DeliveryResolution,
        shouldDisableEndpoint: @escaping @Sendable (_ failingSince: Date) -> Bool
    ) async throws -> RecordedAttempt?

    /// Deliveries newest first. A `nil` tenant lists every tenant's (the operator's CLI).
    func listDeliveries(tenantId: String?, filter: DeliveryFilter, page: PageRequest) async throws -> Page<WebhookDelivery>

    /// A delivery with its body and attempts; `nil` when unknown (a `nil` tenant: any tenant's).
    func findDelivery(tenantId: String?, id: String) async throws -> WebhookDeliveryDetail?

    /// Sends a delivery's event to its endpoint again: a new `PENDING` delivery of the same event
    /// (same `webhook-id`), due now. `nil` for an unknown delivery; `StoreError.conflict` when the
    /// endpoint is disabled or the event is already pending for it.
    func redeliver(tenantId: String?, id: String) async throws -> WebhookDelivery?

    /// Redelivers every event of `since` or later whose latest delivery to the endpoint `FAILED`.
    /// `nil` for an unknown endpoint; `StoreError.conflict` when it is disabled.
    func redeliver(tenantId: String?, endpointId: String, since: Date) async throws -> [WebhookDelivery]?
}
