import Synchronization

/// A setting that can change while the daemon runs (SIGHUP reloads the configuration): readers
/// take `current` each time they need it.
public final class Reloadable<Value: Sendable>: Sendable {
    private let value: Mutex<Value>

    public init(_ value: Value) {
        self.value = Mutex(value)
    }

    public var current: Value { value.withLock { $0 } }

    public func replace(with newValue: Value) {
        value.withLock { $0 = newValue }
    }
}
