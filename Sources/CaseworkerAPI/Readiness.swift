import Synchronization

/// Whether the daemon is draining (SIGTERM received): `/readyz` then answers 503 so load
/// balancers stop sending new work while in-flight requests finish.
public final class Readiness: Sendable {
    private let draining = Atomic(false)

    public init() {}

    public var isDraining: Bool { draining.load(ordering: .acquiring) }

    public func startDraining() {
        draining.store(true, ordering: .releasing)
    }
}
