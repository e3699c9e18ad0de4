import CaseworkerCore
import Foundation
import Synchronization

/// A clock the test moves by hand: the store's timestamps, retry schedules, leases and the
/// endpoint disable policy follow it.
public final class ManualClock: WallClock {
    private let current: Mutex<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = Mutex(start)
    }

    public var now: Date { current.withLock { $0 } }

    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 += seconds }
    }
}
