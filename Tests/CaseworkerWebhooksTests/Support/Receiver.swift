import CaseworkerTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization
import Testing

/// A real webhook receiver: a Hummingbird app on 127.0.0.1, port 0, answering `POST /e/{name}`
/// as the test scripts it and capturing every request.
final class Receiver: Sendable {
    /// One request as received.
    struct Captured: Sendable {
        var name: String
        var headers: [String: String]
        var body: [UInt8]

        var bodyText: String { String(decoding: body, as: UTF8.self) }
        var webhookId: String? { headers["webhook-id"] }
    }

    /// How to answer; `hold` makes the handler wait until `release()` is called.
    struct Reply: Sendable {
        var status = 200
        var headers: [String: String] = [:]
        var body = "ok"
        var hold = false

        static let ok = Reply()
        static func status(_ status: Int, headers: [String: String] = [:]) -> Reply { Reply(status: status, headers: headers) }
    }

    typealias Script = @Sendable (_ name: String, _ nth: Int) -> Reply

    private let requests = Mutex<[Captured]>([])
    private let released = Mutex(false)
    private let portBox = Mutex(0)
    private let script: Mutex<Script>

    init(_ script: @escaping Script = { _, _ in .ok }) {
        self.script = Mutex(script)
    }

    var port: Int { portBox.withLock { $0 } }

    /// The URL of endpoint `name` on this receiver, with `host` (default 127.0.0.1).
    func url(_ name: String, host: String = "127.0.0.1") -> String { "http://\(host):\(port)/e/\(name)" }

    var all: [Captured] { requests.withLock { $0 } }

    func received(_ name: String) -> [Captured] { all.filter { $0.name == name } }

    func rescript(_ script: @escaping Script) { self.script.withLock { $0 = script } }

    /// Lets every held request (and every later one) answer.
    func release() { released.withLock { $0 = true } }

    fileprivate func handle(_ request: Hummingbird.Request, name: String) async throws -> Response {
        let body = try await request.body.collect(upTo: 1 << 20)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let nth = requests.withLock { list -> Int in
            list.append(Captured(name: name, headers: headers, body: Array(body.readableBytesView)))
            return list.filter { $0.name == name }.count
        }
        let reply = script.withLock { $0 }(name, nth)
        if reply.hold {
            while !released.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
        }
        var fields = HTTPFields()
        for (name, value) in reply.headers { fields[HTTPField.Name(name)!] = value }
        return Response(
            status: HTTPResponse.Status(code: reply.status), headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: reply.body)))
    }

    /// Runs a receiver for the duration of `body`.
    static func with<T: Sendable>(
        _ script: @escaping Script = { _, _ in .ok }, _ body: @Sendable (Receiver) async throws -> T
    ) async throws -> T {
        let receiver = Receiver(script)
        let router = Router()
        router.post("e/{name}") { request, context in
            try await receiver.handle(request, name: try context.parameters.require("name"))
        }
        return try await LoopbackServer.serve(router, release: receiver.release) { port in
            receiver.portBox.withLock { $0 = port }
            return try await body(receiver)
        }
    }
}

