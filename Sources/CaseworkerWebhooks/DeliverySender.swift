import AsyncHTTPClient
import CaseworkerCore
import CaseworkerOutbound
import CaseworkerStore
import CaseworkerWebhookSigning
import Foundation
import NIOCore
import NIOPosix
import NIOSOCKS

/// Sends one attempt of a delivery: SSRF pre-check, signing, the POST, the first 4 KiB of the
/// answer. Never throws: every failure becomes an `AttemptResult.failure`.
///
/// The request is `POST <url>` with `Content-Type: application/json`, the three Standard
/// Webhooks headers (one `v1,` signature per active secret, `webhook-timestamp` of this
/// attempt) and the event body exactly as stored. Redirects are not followed (the client is
/// configured so); the whole attempt, connect to last byte read, is bounded by `timeout`.
struct DeliverySender: Sendable {
    let client: HTTPClient
    let policy: Reloadable<AddressPolicy>
    let timeout: Duration
    static let userAgent = "Caseworker-Webhooks/1"

    func send(_ delivery: ClaimedDelivery, at now: Date) async -> AttemptResult {
        guard let components = URLComponents(string: delivery.url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else { return .failure(.other, "the endpoint URL is not an absolute http(s) URL") }
        let port = components.port ?? (scheme == "https" ? 443 : 80)

        // A pre-check for a precise attempt-log message; the guard proxy decides again on the
        // address it actually connects to.
        if let refusal = await policy.current.precheck(host: host, port: port) { return .failure(refusal) }

        let secrets = delivery.secrets.compactMap { try? WebhookSecret($0) }
        guard !secrets.isEmpty else { return .failure(.other, "the endpoint has no valid signing secret") }
        let body = Array(delivery.body.utf8)
        var request = HTTPClientRequest(url: delivery.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: Self.userAgent)
        let signed = WebhookSigner.headers(
            id: delivery.eventId, timestamp: WebhookSigner.timestamp(of: now), body: body, secrets: secrets)
        for header in signed { request.headers.add(name: header.name, value: header.value) }
        request.body = .bytes(ByteBuffer(bytes: body))

        let client = self.client
        let timeout = self.timeout
        let finished = request
        do {
            return try await withThrowingTaskGroup(of: AttemptResult.self) { group in
                group.addTask {
                    let response = try await client.execute(finished, timeout: .nanoseconds(Self.nanoseconds(timeout)))
                    var collected: [UInt8] = []
                    for try await chunk in response.body {
                        collected += chunk.readableBytesView.prefix(DispatcherConfiguration.responseBodyLimit - collected.count)
                        if collected.count >= DispatcherConfiguration.responseBodyLimit { break }
                    }
                    return .response(
                        status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"),
                        body: String(decoding: collected, as: UTF8.self))
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return .failure(.timeout, "timed out after \(TransportFailure.seconds(timeout))")
                }
                let first = try await group.next()!
                group.cancelAll()
                return first
            }
        } catch {
            if Task.isCancelled { return .failure(.other, "cancelled by shutdown") }
            return Self.classify(error, timeout: timeout)
        }
    }

    /// Maps a client error to a transport error kind and a log text (`TransportFailure`, the
    /// texts `http.request` steps show too).
    static func classify(_ error: any Error, timeout: Duration) -> AttemptResult {
        .failure(TransportFailure.describing(error, timeout: timeout))
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }

}
