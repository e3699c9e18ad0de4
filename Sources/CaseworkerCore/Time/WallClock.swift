import Foundation

/// The source of "now" for everything that stamps or schedules. Injected, so tests control time.
public protocol WallClock: Sendable {
    var now: Date { get }
}

/// The system's real-time clock.
public struct SystemClock: WallClock {
    public init() {}
    public var now: Date { Date() }
}
