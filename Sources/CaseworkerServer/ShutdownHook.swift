import ServiceLifecycle

/// A service that does one thing when graceful shutdown begins. Placed last in the group, it runs
/// first (the group shuts services down in reverse order).
struct ShutdownHook: Service {
    let action: @Sendable () -> Void

    func run() async throws {
        try? await gracefulShutdown()
        action()
    }
}
