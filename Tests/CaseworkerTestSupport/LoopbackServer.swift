import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// A Hummingbird router served on 127.0.0.1 (a free port) for the duration of a test's body.
public enum LoopbackServer {
    /// Serves `router` while `body` runs with the port it listens on (waited for at most 30 s),
    /// then shuts it down gracefully; when `body` throws the server is cancelled instead.
    /// `release` runs before either (for receivers that hold requests until told to let them go).
    public static func serve<T: Sendable>(
        _ router: Router<BasicRequestContext>, release: @Sendable () -> Void = {}, _ body: (Int) async throws -> T
    ) async throws -> T {
        var logger = Logger(label: "loopback-server")
        logger.logLevel = .critical
        let port = PortBox()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.set(channel.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(services: [app], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                let listening = try await waitForValue("the server listens") { port.value }
                let result = try await body(listening)
                release()
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                release()
                tasks.cancelAll()
                throw error
            }
        }
    }
}

/// The port a server reported once it listens.
private final class PortBox: Sendable {
    private let port = Mutex<Int?>(nil)
    var value: Int? { port.withLock { $0 } }
    func set(_ value: Int) { port.withLock { $0 = value } }
}
