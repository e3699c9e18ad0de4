import Foundation

/// A response stored for an `Idempotency-Key`, replayed to retries of the same request.
public struct StoredResponse: Sendable, Equatable {
    public var status: Int
    /// The headers worth replaying (`Content-Type`, `Location`, ...).
    public var headers: [String: String]
    public var body: [UInt8]
    /// The case the response is about (a case's own response, a run's `caseId`), so that erasing
    /// the case deletes the stored response with the personal data it may hold.
    public var caseId: String?

    public init(status: Int, headers: [String: String], body: [UInt8], caseId: String? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.caseId = caseId
    }
}

/// What beginning a request with an `Idempotency-Key` found.
public enum IdempotencyBegin: Sendable, Equatable {
    /// First use (or the earlier use expired, or its process died): go ahead, then complete it.
    case started
    /// The same key's first request is still being processed (409).
    case inFlight
    /// The key was used for a different request (422).
    case mismatch
    /// The key's request completed: replay this response.
    case replay(StoredResponse)
}

/// `Idempotency-Key` records (SPEC 2.1), per tenant and key.
public protocol IdempotencyStore: Sendable {
    /// Claims `key` for a request with fingerprint `requestHash`, kept until `expiresAt`. A claim
    /// whose request never completed (the process died) is taken over after `lockedUntil`.
    func beginIdempotentRequest(
        tenantId: String, key: String, requestHash: String, now: Date, lockedUntil: Date, expiresAt: Date
    ) async throws -> IdempotencyBegin
    /// Stores the response of the claimed request.
    func completeIdempotentRequest(tenantId: String, key: String, response: StoredResponse) async throws
    /// Releases the claim without a response (the request failed unexpectedly): a retry runs again.
    func abandonIdempotentRequest(tenantId: String, key: String) async throws
}
