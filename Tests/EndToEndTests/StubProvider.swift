import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// A local provider the daemon's `http.request` steps call, run inside the test process.
///
/// `POST /verify` answers `{"score": 72}`. The first `passThrough` requests are answered at once;
/// later ones wait at a gate until the test opens it, so a test can hold steps in flight
/// deterministically (e.g. to kill the daemon while they are). `GET /flaky` answers 503 to the
/// first request of each `Idempotency-Key` prefix (run and step), then 200.
final class StubProvider: Sendable {
    struct State {
        var keys: [String] = []
        var passThrough: Int
        var open = false
        var waiting: [CheckedContinuation<Void, Never>] = []
        var flakySeen: Set<String> = []
    }

    /// Shared with the route handlers.
    final class Shared: Sendable {
        let state: Mutex<State>
        let port = Mutex<Int?>(nil)
        init(passThrough: Int) { state = Mutex(State(passThrough: passThrough)) }
    }

    private let shared: Shared
    private let group: ServiceGroup

    /// Starts a provider on 127.0.0.1 (port 0). `passThrough: .max` never holds a request.
    static func start(passThrough: Int = .max) async throws -> StubProvider {
        let provider = StubProvider(passThrough: passThrough)
        Task { try? await provider.group.run() }
        // Generous: under the whole suite, the cooperative pool's two threads can be busy for seconds.
        let deadline = ContinuousClock.now + .seconds(60)
        while provider.shared.port.withLock({ $0 }) == nil {
            guard ContinuousClock.now < deadline else { throw DaemonProcess.Failure(message: "stub provider did not start") }
            try await Task.sleep(for: .milliseconds(10))
        }
        return provider
    }

    private init(passThrough: Int) {
        let shared = Shared(passThrough: passThrough)
        self.shared = shared
        let router = Router()
        router.post("verify") { request, _ -> Response in
            let key = request.headers[HTTPField.Name("Idempotency-Key")!] ?? ""
            let mustWait = shared.state.withLock { state -> Bool in
                state.keys.append(key)
                if state.passThrough > 0 {
                    state.passThrough -= 1
                    return false
                }
                return !state.open
            }
            if mustWait {
                await withCheckedContinuation { continuation in
                    let resume = shared.state.withLock { state -> Bool in
                        if state.open { return true }
                        state.waiting.append(continuation)
                        return false
                    }
                    if resume { continuation.resume() }
                }
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"score": 72}"#)))
        }
        router.get("flaky") { request, _ -> Response in
            let key = request.headers[HTTPField.Name("Idempotency-Key")!] ?? ""
            let prefix = key.split(separator: ":").prefix(2).joined(separator: ":")
            let first = shared.state.withLock { state -> Bool in
                state.keys.append(key)
                return state.flakySeen.insert(prefix).inserted
            }
            return Response(status: first ? .serviceUnavailable : .ok)
        }
        var logger = Logger(label: "stub")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in shared.port.withLock { $0 = channel.localAddress?.port } }, logger: logger)
        self.group = ServiceGroup(services: [app], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
    }

    var port: Int { shared.port.withLock { $0 ?? 0 } }
    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Idempotency keys of every request received, in order.
    var keys: [String] { shared.state.withLock { $0.keys } }
    /// Requests waiting at the gate now.
    var heldCount: Int { shared.state.withLock { $0.waiting.count } }

    /// Opens the gate: held and later requests are answered at once.
    func open() {
        let waiting = shared.state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.open = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    func stop() async {
        open()
        await group.triggerGracefulShutdown()
    }
}
