import CaseworkerOutbound

/// What one HTTP attempt produced, before any policy looked at it.
public struct AttemptResult: Sendable, Hashable {
    /// The status received, `nil` when the attempt failed before a response.
    public var status: Int?
    /// The raw `Retry-After` header, if any.
    public var retryAfter: String?
    /// The first 4 KiB of the response body (invalid UTF-8 replaced).
    public var body: String?
    /// Why no response was received.
    public var error: TransportErrorKind?
    /// The attempt log's text for `error`, e.g. `connectionRefused: connection refused`.
    public var errorMessage: String?

    public static func response(status: Int, retryAfter: String?, body: String) -> AttemptResult {
        AttemptResult(status: status, retryAfter: retryAfter, body: body, error: nil, errorMessage: nil)
    }

    public static func failure(_ kind: TransportErrorKind, _ message: String) -> AttemptResult {
        AttemptResult(status: nil, retryAfter: nil, body: nil, error: kind, errorMessage: "\(kind.rawValue): \(message)")
    }

    public static func failure(_ failure: TransportFailure) -> AttemptResult {
        .failure(failure.kind, failure.message)
    }
}
