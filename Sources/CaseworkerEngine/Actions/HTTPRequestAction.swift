import AsyncHTTPClient
import CaseworkerCore
import CaseworkerOutbound
import Foundation
import NIOCore
import NIOHTTP1

/// `http.request` — config `{method, url, headers, query, body, timeoutSeconds, okStatus}`.
///
/// Output `{status, headers, body}` (the body parsed when it is JSON, else text; at most
/// `maxResponseBytes`). Outcomes: OK for `okStatus` (default any 2xx); otherwise KO with code =
/// the status (retryable for 5xx and 429); TIMEOUT after `timeoutSeconds` (default 30,
/// retryable); KO `connection_error` on a transport failure (retryable). Redirects are not
/// followed. Every request carries `Idempotency-Key: {runId}:{stepId}:{attempt}`, so a provider
/// can de-duplicate a step re-executed after a crash. A JSON `body` is sent as
/// `application/json`. A destination the SSRF guard refuses is KO `destination_refused`.
/// Transport errors read plainly, with the texts of the webhook attempt log (`TransportFailure`):
/// `connection refused`, `destination refused by the SSRF guard: 10.0.0.5 is private
/// (10.0.0.0/8)`, `timed out after 10 s`, `TLS: certificate verify failed`.
public struct HTTPRequestAction: Action {
    public static let defaultTimeoutSeconds = 30.0
    public static let maxResponseBytes = 1 << 20

    /// A request leaves the process.
    public var hasSideEffects: Bool { true }

    let client: HTTPClient
    let addressPolicy: Reloadable<AddressPolicy>?

    /// `client` must not follow redirects and should not retry connection establishment (see
    /// `HTTPRequestAction.makeClient(socksProxyPort:)`). With `addressPolicy` (the policy of the
    /// guard proxy the client connects through), each request's host is resolved and checked
    /// first, so that a refusal names the address and its range; the proxy still decides.
    public init(client: HTTPClient, addressPolicy: Reloadable<AddressPolicy>? = nil) {
        self.client = client
        self.addressPolicy = addressPolicy
    }

    /// The shared client the engine uses: no redirects, no connection retries (the step's retry
    /// policy retries), many connections per host. With `socksProxyPort`, every connection goes
    /// through that local SOCKS5 proxy: the daemon runs the SSRF guard there (`SSRFGuardProxy`).
    public static func makeClient(socksProxyPort: Int? = nil) -> HTTPClient {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        if let socksProxyPort { configuration.proxy = .socksServer(host: "127.0.0.1", port: socksProxyPort) }
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        configuration.timeout.connect = .seconds(10)
        // The daemon bootstraps no tracer: without this, every request builds the attributes of
        // a no-op span (1.6% of the daemon's samples under W1, with the webhook client's).
        configuration.tracing.tracer = nil
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func execute(_ input: ActionInput) async throws -> ActionResult {
        let config = input.config
        let method = config["method"]?.stringValue ?? "GET"
        guard let urlText = config["url"]?.stringValue, var components = URLComponents(string: urlText),
            let scheme = components.scheme?.lowercased(), ["http", "https"].contains(scheme), let host = components.host, !host.isEmpty
        else {
            return .ko("invalid_config", "url must be an absolute http or https URL, got \(config["url"].map(JSONText.encode) ?? "nothing")")
        }
        if let query = config["query"]?.objectValue, !query.isEmpty {
            var items = components.queryItems ?? []
            for name in query.keys.sorted() {
                items.append(URLQueryItem(name: name, value: query[name]?.stringValue ?? query[name].map(JSONText.encode)))
            }
            components.queryItems = items
        }
        guard let url = components.url?.absoluteString else { return .ko("invalid_config", "url is not a valid URL") }
        let okStatuses = Self.okStatuses(config["okStatus"])
        let timeoutSeconds = config["timeoutSeconds"]?.doubleValue ?? Self.defaultTimeoutSeconds

        if let policy = addressPolicy?.current,
            let refusal = await policy.precheck(host: host, port: components.port ?? (scheme == "https" ? 443 : 80))
        {
            return Self.failed(refusal)
        }

        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in (config["headers"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            request.headers.add(name: name, value: value.stringValue ?? JSONText.encode(value))
        }
        request.headers.replaceOrAdd(name: "Idempotency-Key", value: "\(input.runId):\(input.stepId):\(input.attempt)")
        if let body = config["body"], !body.isNull {
            if !request.headers.contains(name: "Content-Type") { request.headers.add(name: "Content-Type", value: "application/json") }
            request.body = .bytes(ByteBuffer(string: body.stringValue ?? JSONText.encode(body)))
        }

        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(timeoutSeconds * 1000)))
            let bytes = try await response.body.collect(upTo: Self.maxResponseBytes)
            let output = Self.output(status: Int(response.status.code), headers: response.headers, body: bytes)
            let status = Int(response.status.code)
            if okStatuses.map({ $0.contains(status) }) ?? (200...299).contains(status) {
                return .ok(output)
            }
            return .ko(String(status), "the response status \(status) is not an OK status", output: output, retryable: status >= 500 || status == 429)
        } catch is NIOTooManyBytesError {
            return .ko("response_too_large", "the response body exceeds \(Self.maxResponseBytes) bytes")
        } catch {
            return Self.failed(TransportFailure.describing(error, timeout: .milliseconds(Int64(timeoutSeconds * 1000))))
        }
    }

    /// The outcome of a transport failure: `TIMEOUT` for a timeout, KO `destination_refused`
    /// (final) for the SSRF guard, KO `connection_error` (retryable) for the rest.
    static func failed(_ failure: TransportFailure) -> ActionResult {
        switch failure.kind {
        case .timeout:
            .outcome(StepOutcome(.timeout), output: .null, error: failure.message, retryable: true, stateChanges: [:])
        case .addressRefused:
            .ko("destination_refused", failure.message + " (engine.httpAllowedNetworks opens networks)")
        case .connectionRefused, .connectionReset, .dnsFailure, .tls, .other:
            .ko("connection_error", failure.message, retryable: true)
        }
    }

    static func okStatuses(_ value: JSONValue?) -> Set<Int>? {
        guard let value else { return nil }
        let codes = (value.arrayValue ?? [value]).compactMap(\.intValue)
        return codes.isEmpty ? nil : Set(codes)
    }

    static func output(status: Int, headers: HTTPHeaders, body: ByteBuffer) -> JSONValue {
        var headerObject: [String: JSONValue] = [:]
        for (name, value) in headers {
            let key = name.lowercased()
            if case .string(let existing) = headerObject[key] {
                headerObject[key] = .string(existing + ", " + value)
            } else {
                headerObject[key] = .string(value)
            }
        }
        let bytes = Array(body.readableBytesView)
        let contentType = headers.first(name: "Content-Type")?.lowercased() ?? ""
        var parsedBody: JSONValue = bytes.isEmpty ? .null : .string(String(decoding: bytes, as: UTF8.self))
        if contentType.contains("json"), let json = try? JSONText.decode(bytes) { parsedBody = json }
        return ["status": .int(status), "headers": .object(headerObject), "body": parsedBody]
    }
}
