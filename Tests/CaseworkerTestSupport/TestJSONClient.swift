import CaseworkerCore
import HTTPTypes
import HummingbirdTesting
import NIOCore

/// A JSON client for tests of the API: the router (`app.test(.router)`), a live application or a
/// daemon started by the test (`withServer(port:)`). It sends a JSON body and an API key, and
/// answers the status, the headers and the body as text and as JSON.
public struct TestJSONClient: Sendable {
    public struct Reply: Sendable {
        public let status: HTTPResponse.Status
        public let headers: HTTPFields
        public let text: String

        /// The body as JSON; `null` when it is empty or not JSON.
        public var json: JSONValue { (try? JSONText.decode(text)) ?? .null }
    }

    private let execute: @Sendable (_ uri: String, _ method: HTTPRequest.Method, _ headers: HTTPFields, _ body: ByteBuffer?) async throws -> Reply

    /// Over HummingbirdTesting's client of `app.test(...)`.
    public init(_ client: any TestClientProtocol) {
        execute = { uri, method, headers, body in
            try await client.execute(uri: uri, method: method, headers: headers, body: body) { response in
                Reply(status: response.status, headers: response.headers, text: String(buffer: response.body))
            }
        }
    }

    /// Runs `body` with a client of the server on 127.0.0.1:`port`; a read waits at most `timeout`.
    public static func withServer<Value: Sendable>(
        port: Int, timeout: Duration = .seconds(90), _ body: @escaping @Sendable (TestJSONClient) async throws -> Value
    ) async throws -> Value {
        try await TestClient.withClient(host: "127.0.0.1", port: port, configuration: .init(timeout: timeout)) { client in
            try await body(
                TestJSONClient { uri, method, headers, body in
                    let response = try await client.execute(.init(uri, method: method, headers: headers, body: body))
                    return Reply(status: response.status, headers: response.headers, text: response.body.map { String(buffer: $0) } ?? "")
                })
        }
    }

    private init(execute: @escaping @Sendable (String, HTTPRequest.Method, HTTPFields, ByteBuffer?) async throws -> Reply) {
        self.execute = execute
    }

    /// Sends `json` (or `rawBody`, as given) to `uri`, with `Authorization: Bearer <key>` when
    /// `key` is given and `contentType` when there is a body.
    public func send(
        _ method: HTTPRequest.Method, _ uri: String, key: String?, json: JSONValue? = nil, rawBody: String? = nil,
        contentType: String? = "application/json", headers: HTTPFields = [:]
    ) async throws -> Reply {
        let body = (rawBody ?? json.map(JSONText.encode)).map { ByteBuffer(string: $0) }
        return try await send(method, uri, key: key, body: body, contentType: contentType, headers: headers)
    }

    /// Sends `bytes` as they are (not necessarily UTF-8) as a JSON body.
    public func sendBytes(_ method: HTTPRequest.Method, _ uri: String, key: String?, body bytes: [UInt8]) async throws -> Reply {
        try await send(method, uri, key: key, body: ByteBuffer(bytes: bytes), contentType: "application/json", headers: [:])
    }

    private func send(
        _ method: HTTPRequest.Method, _ uri: String, key: String?, body: ByteBuffer?, contentType: String?, headers extra: HTTPFields
    ) async throws -> Reply {
        var headers = extra
        if let key { headers[.authorization] = "Bearer \(key)" }
        if body != nil, let contentType { headers[.contentType] = contentType }
        return try await execute(uri, method, headers, body)
    }
}
