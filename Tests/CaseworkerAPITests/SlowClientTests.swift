import CaseworkerAPI
import CaseworkerCore
import CaseworkerEngine
import CaseworkerStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// Slow and stalled clients against a live server on port 0 with the daemon's HTTP server
/// (`makeHTTPServer`): headers or a body trickled byte by byte, an idle connection, a declared
/// body far over the limit. Each ends with a 408 or a closed connection within a bounded time;
/// a long poll that takes longer than the request timeout is not cut.
@Suite struct SlowClientTests {
    static let fast = APIConfiguration(maxBodyBytes: 4096, idleTimeout: .seconds(1), requestTimeout: .seconds(1))

    @Test func headersTrickledByteByByteAreCutOffByTheIdleTimeout() async throws {
        let app = try await TestApp(configuration: .init(idleTimeout: .seconds(1), requestTimeout: .seconds(30)))
        try await app.testLive { port in
            let parts = ["GET /healthz HTTP/1.1\r\n", "Host: x\r\n"] + (0..<40).map { "X-Slow-\($0): 1\r\n" }
            let exchange = try await RawExchange.run(port: port, parts: parts, interval: .milliseconds(200), limit: .seconds(10))
            #expect(exchange.closedByServer)
            #expect(exchange.received.isEmpty, "\(exchange.received)")
            #expect(exchange.elapsed < .seconds(4), "closed after \(exchange.elapsed)")
        }
    }

    @Test func aBodyTrickledByteByByteGets408AndAClosedConnection() async throws {
        let app = try await TestApp(configuration: .init(idleTimeout: .seconds(30), requestTimeout: .seconds(1)))
        try await app.testLive { port in
            let head = "POST /v1/cases HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(app.keyA)\r\nContent-Type: application/json\r\n"
                + "X-Request-ID: slow-body\r\nContent-Length: 100\r\n\r\n{"
            let parts = [head] + Array(repeating: " ", count: 60)
            let exchange = try await RawExchange.run(port: port, parts: parts, interval: .milliseconds(100), limit: .seconds(10))
            #expect(exchange.received.hasPrefix("HTTP/1.1 408"), "\(exchange.received)")
            #expect(exchange.received.lowercased().contains("connection: close"))
            #expect(exchange.received.contains("urn:caseworker:problem:request-timeout"))
            #expect(exchange.received.contains("\"instance\":\"slow-body\""))
            #expect(exchange.closedByServer)
            #expect(exchange.elapsed < .seconds(4), "closed after \(exchange.elapsed)")
            #expect(try await app.store.listCases(tenantId: "tenant-a", externalId: nil, page: PageRequest(limit: 10, beforeId: nil)).items.isEmpty)
        }
    }

    @Test func anIdleKeptAliveConnectionIsClosed() async throws {
        let app = try await TestApp(configuration: Self.fast)
        try await app.testLive { port in
            let exchange = try await RawExchange.run(
                port: port, parts: ["GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"], interval: .zero, limit: .seconds(10))
            #expect(exchange.received.hasPrefix("HTTP/1.1 200"), "\(exchange.received)")
            #expect(exchange.closedByServer)
            #expect(exchange.elapsed < .seconds(4), "closed after \(exchange.elapsed)")
        }
    }

    @Test func aDeclaredBodyOverTheLimitIs413AtOnceAndTheRestIsNotAwaited() async throws {
        let app = try await TestApp(configuration: Self.fast)
        try await app.testLive { port in
            let head = "POST /v1/cases HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(app.keyA)\r\nContent-Type: application/json\r\n"
                + "Content-Length: 104857600\r\n\r\n"
            let exchange = try await RawExchange.run(
                port: port, parts: [head, String(repeating: "x", count: 8192)], interval: .zero, limit: .seconds(10))
            #expect(exchange.received.hasPrefix("HTTP/1.1 413"), "\(exchange.received)")
            #expect(exchange.received.contains("urn:caseworker:problem:body-too-large"))
            #expect(exchange.closedByServer)
            #expect(exchange.elapsed < .seconds(4), "closed after \(exchange.elapsed)")
        }
    }

    @Test func aLongPollMayOutlastTheRequestTimeout() async throws {
        let app = try await TestApp(configuration: Self.fast)
        try await app.testLive { port in
            let client = RawClient(port: port, key: app.keyA)
            _ = try await client.json(
                "PUT", "/v1/workflow-definitions/review",
                #"{"name": "review", "isDraft": false, "steps": [{"id": "review", "action": "await", "config": {"signal": "go"}}]}"#)
            let caseId = try #require(try await client.json("POST", "/v1/cases", "{}")["id"]?.stringValue)
            let run = try await client.json("POST", "/v1/workflows/run", #"{"caseId": "\#(caseId)", "workflowDefinitionId": "review"}"#)
            let runId = try #require(run["id"]?.stringValue)
            var status = run["status"]?.stringValue
            for _ in 0..<50 where status != "WAITING" {
                status = try await client.json("GET", "/v1/workflows/\(runId)?waitSeconds=1&unlessStatus=\(status ?? "PENDING")", nil)["status"]?.stringValue
            }
            #expect(status == "WAITING")
            let start = ContinuousClock.now
            let polled = try await client.json("GET", "/v1/workflows/\(runId)?waitSeconds=2&unlessStatus=WAITING", nil)
            #expect(polled["status"] == "WAITING")
            #expect(ContinuousClock.now - start >= .milliseconds(1900))
        }
    }
}

extension TestApp {
    /// Runs `body` with the port of a live server over this app's store, built like the daemon's
    /// (`makeRouter` + `makeHTTPServer` with this app's configuration), with the run engine.
    func testLive(_ body: @Sendable (Int) async throws -> Void) async throws {
        var logger = Logger(label: "caseworker-test")
        logger.logLevel = .warning
        let httpClient = HTTPRequestAction.makeClient()
        let engine = RunEngine(store: store, actions: .standard(http: HTTPRequestAction(client: httpClient)), logger: logger)
        let app = Application(
            router: makeRouter(store: store, configuration: configuration), server: makeHTTPServer(configuration: configuration),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)), services: [engine], logger: logger)
        do {
            try await app.test(.live) { client in try await body(try #require(client.port)) }
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        try await httpClient.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// One TCP connection that writes `parts` with a pause between them and reads until the server
/// closes the connection or `limit` passes.
enum RawExchange {
    struct Result {
        var received: String
        var closedByServer: Bool
        var elapsed: Duration
    }

    static func run(port: Int, parts: [String], interval: Duration, limit: Duration) async throws -> Result {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let start = ContinuousClock.now
        return try await channel.executeThenClose { inbound, outbound in
            let received = Received()
            let closed = try await withThrowingTaskGroup(of: Bool?.self) { group in
                group.addTask {
                    for (index, part) in parts.enumerated() {
                        if index > 0 && interval > .zero { try await Task.sleep(for: interval) }
                        do { try await outbound.write(ByteBuffer(string: part)) } catch { return nil }
                    }
                    try await Task.sleep(for: limit)
                    return nil
                }
                group.addTask {
                    do {
                        for try await buffer in inbound { received.append(buffer) }
                    } catch {}
                    return true
                }
                group.addTask {
                    try await Task.sleep(for: limit)
                    return false
                }
                var result = false
                while let next = try await group.next() {
                    if let next {
                        result = next
                        break
                    }
                }
                group.cancelAll()
                return result
            }
            return Result(
                received: received.text, closedByServer: closed, elapsed: ContinuousClock.now - start)
        }
    }
}

/// The bytes a connection received so far, shared between the reading task and the result.
final class Received: Sendable {
    private let buffer = Mutex(ByteBuffer())

    func append(_ part: ByteBuffer) {
        buffer.withLock { buffer in
            var part = part
            buffer.writeBuffer(&part)
        }
    }

    var text: String { buffer.withLock { String(buffer: $0) } }
}

/// Plain requests on a fresh connection each (`Connection: close`), for setting up live tests.
struct RawClient {
    let port: Int
    let key: String

    func json(_ method: String, _ path: String, _ body: String?) async throws -> JSONValue {
        var request = "\(method) \(path) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(key)\r\nConnection: close\r\n"
        if let body { request += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)" } else { request += "\r\n" }
        let exchange = try await RawExchange.run(port: port, parts: [request], interval: .zero, limit: .seconds(10))
        let text = exchange.received
        guard let split = text.range(of: "\r\n\r\n") else { return .null }
        return (try? JSONText.decode(String(text[split.upperBound...]))) ?? .null
    }
}
