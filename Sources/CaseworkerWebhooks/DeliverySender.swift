import CaseworkerCore
import AsyncHTTPClient
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
        let policy = self.policy.current
        do {
            if IPAddress(host.trimmingCharacters(in: ["[", "]"])) != nil {
                // An address needs no lookup: checked here, without a trip to the thread pool.
                _ = try policy.resolveAndCheck(host: host, port: port)
            } else {
                _ = try await NIOThreadPool.singleton.runIfActive { try policy.resolveAndCheck(host: host, port: port) }
            }
        } catch let error as HostResolutionError {
            if case .allAddressesRefused = error { return .failure(.addressRefused, error.description) }
            return .failure(.dnsFailure, error.description)
        } catch {
            return .failure(.other, "\(error)")
        }

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
                    return .failure(.timeout, "no complete response within \(Self.describe(timeout))")
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

    /// Maps a client error to a transport error kind and a log text.
    static func classify(_ error: any Error, timeout: Duration) -> AttemptResult {
        switch error {
        case let error as SOCKSError.ConnectionFailed:
            switch error.reply {
            case .notAllowed: return .failure(.addressRefused, "the SSRF guard refused every address of the host")
            case .refused: return .failure(.connectionRefused, "connection refused")
            case .ttlExpired: return .failure(.timeout, "connect timed out")
            default: return .failure(.other, "cannot connect (SOCKS reply \(error.reply.value))")
            }
        case let error as HTTPClientError:
            switch error {
            case .connectTimeout, .readTimeout, .deadlineExceeded, .writeTimeout:
                return .failure(.timeout, "no complete response within \(describe(timeout))")
            case .remoteConnectionClosed: return .failure(.connectionReset, "the receiver closed the connection")
            default: return .failure(.other, "\(error)")
            }
        default:
            let text = "\(error)"
            if text.contains("ECONNREFUSED") || text.lowercased().contains("connection refused") {
                return .failure(.connectionRefused, "connection refused")
            }
            if text.contains("ECONNRESET") || text.lowercased().contains("reset") {
                return .failure(.connectionReset, "the connection was reset")
            }
            if text.lowercased().contains("ssl") || text.lowercased().contains("tls") || text.lowercased().contains("certificate") {
                return .failure(.tls, text)
            }
            return .failure(.other, text)
        }
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }

    static func describe(_ duration: Duration) -> String {
        let seconds = Double(nanoseconds(duration)) / 1e9
        return seconds.rounded() == seconds ? "\(Int(seconds)) s" : "\(seconds) s"
    }
}
