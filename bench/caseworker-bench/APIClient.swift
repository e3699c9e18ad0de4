import AsyncHTTPClient
import CaseworkerCore
import Foundation
import NIOCore
import NIOHTTP1

/// The driver's client for the daemon's API: one AsyncHTTPClient with a connection pool.
final class APIClient: Sendable {
    let client: HTTPClient
    let baseURL: String
    let key: String

    init(baseURL: String, key: String, connections: Int) {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(90))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.baseURL = baseURL
        self.key = key
    }

    /// Sends one request; answers the status and the JSON body (`null` when empty).
    func send(_ method: HTTPMethod, _ path: String, _ body: JSONValue? = nil) async throws -> (status: Int, body: JSONValue) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: JSONText.encode(body)))
        }
        let response = try await client.execute(request, timeout: .seconds(90))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        let json = bytes.readableBytes == 0 ? JSONValue.null : try JSONText.decode(bytes.readableBytesView)
        return (Int(response.status.code), json)
    }

    /// Like `send`, but a status other than `expected` is an error naming the answer.
    @discardableResult
    func expect(_ expected: Int, _ method: HTTPMethod, _ path: String, _ body: JSONValue? = nil) async throws -> JSONValue {
        let (status, json) = try await send(method, path, body)
        guard status == expected else { throw BenchError("\(method) \(path) answered \(status): \(JSONText.encode(json))") }
        return json
    }

    func shutdown() async { try? await client.shutdown() }
}

/// Runs `body` for `0..<count` with at most `width` at once.
func forEachConcurrently(_ count: Int, width: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        var next = 0
        for _ in 0..<min(width, count) {
            let index = next
            next += 1
            group.addTask { try await body(index) }
        }
        while try await group.next() != nil {
            guard next < count else { continue }
            let index = next
            next += 1
            group.addTask { try await body(index) }
        }
    }
}
