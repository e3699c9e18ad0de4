import Foundation
import Synchronization

/// Universally Unique Lexicographically Sortable Identifiers (https://github.com/ulid/spec):
/// 48 bits of Unix milliseconds and 80 random bits, as 26 characters of Crockford base32.
///
/// Caseworker names every resource it creates with a ULID, so that ordering by id is ordering by
/// creation time ("newest first" lists page by id). No maintained Swift package for ULIDs is
/// available to this project, so this small generator is hand-written.
public final class ULIDGenerator: Sendable {
    private struct State {
        var lastMillis: UInt64 = 0
        var lastRandom: (high: UInt16, low: UInt64) = (0, 0)
    }

    private let state = Mutex(State())

    public init() {}

    /// A new ULID for the instant `date`. Within one millisecond, successive ids of this generator
    /// increase monotonically (the random part is incremented), so ids sort in creation order.
    public func next(at date: Date) -> String {
        let millis = UInt64(max(0, (date.timeIntervalSince1970 * 1000).rounded(.down)))
        let (time, random) = state.withLock { state -> (UInt64, (UInt16, UInt64)) in
            if millis > state.lastMillis {
                var rng = SystemRandomNumberGenerator()
                state.lastMillis = millis
                state.lastRandom = (UInt16.random(in: 0...UInt16.max, using: &rng), rng.next())
            } else {
                // Same (or earlier: the clock stepped back) millisecond: keep order by incrementing.
                let (low, overflow) = state.lastRandom.low.addingReportingOverflow(1)
                state.lastRandom = (state.lastRandom.high &+ (overflow ? 1 : 0), low)
            }
            return (state.lastMillis, state.lastRandom)
        }
        return ULIDGenerator.encode(time: time, randomHigh: random.0, randomLow: random.1)
    }

    /// The smallest ULID of the millisecond of `date`: an id made at an earlier instant sorts
    /// before it, one made at `date` or later does not (unless the generator's clock stepped back
    /// and it kept its order, `next(at:)`). For range queries over ids by creation time.
    public static func lowerBound(at date: Date) -> String {
        encode(time: UInt64(max(0, (date.timeIntervalSince1970 * 1000).rounded(.down))), randomHigh: 0, randomLow: 0)
    }

    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    static func encode(time: UInt64, randomHigh: UInt16, randomLow: UInt64) -> String {
        var out = [UInt8](repeating: 0, count: 26)
        var t = time
        for i in stride(from: 9, through: 0, by: -1) {
            out[i] = alphabet[Int(t & 31)]
            t >>= 5
        }
        // 80 random bits = 16 high bits followed by 64 low bits, 16 characters of 5 bits each.
        var low = randomLow
        var high = UInt32(randomHigh)
        for i in stride(from: 25, through: 10, by: -1) {
            out[i] = alphabet[Int(low & 31)]
            low = (low >> 5) | (UInt64(high & 31) << 59)
            high >>= 5
        }
        return String(decoding: out, as: UTF8.self)
    }
}
