import Foundation
import CaseworkerTestSupport
import Testing
@testable import CaseworkerWebhooks

@Suite struct RetryScheduleTests {
    static let t0 = Date(timeIntervalSince1970: 1_700_000_000)
    static let expectedSeconds: [Double] = [0, 5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]

    @Test func defaultScheduleIsTheSpecOne() {
        let schedule = RetrySchedule()
        #expect(schedule.delays.map(\.seconds) == Self.expectedSeconds)
        #expect(schedule.jitter == 0.2)
        #expect(schedule.attemptCount == 10)
        #expect(schedule.maxDelay == .seconds(86400))
    }

    @Test func exactDelaysWithoutJitter() {
        let schedule = RetrySchedule(jitter: 0)
        var rng = SplitMix64(seed: 42)
        for (n, seconds) in Self.expectedSeconds.enumerated() {
            let next = schedule.nextAttempt(afterAttempt: n, at: Self.t0, retryAfter: nil, random: &rng)
            #expect(next == Self.t0.addingTimeInterval(seconds), "after attempt \(n)")
        }
        #expect(schedule.nextAttempt(afterAttempt: -3, at: Self.t0, retryAfter: nil, random: &rng) == Self.t0)
    }

    @Test func returnsNilAfterTheLastAttempt() {
        var rng = SplitMix64(seed: 1)
        let schedule = RetrySchedule()
        #expect(schedule.nextAttempt(afterAttempt: 9, at: Self.t0, retryAfter: nil, random: &rng) != nil)
        #expect(schedule.nextAttempt(afterAttempt: 10, at: Self.t0, retryAfter: nil, random: &rng) == nil)
        #expect(schedule.nextAttempt(afterAttempt: 11, at: Self.t0, retryAfter: .seconds(5), random: &rng) == nil)
        let empty = RetrySchedule(delays: [])
        #expect(empty.nextAttempt(afterAttempt: 0, at: Self.t0, retryAfter: nil, random: &rng) == nil)
    }

    @Test(arguments: [UInt64(1), 2, 3, 0xDEAD_BEEF])
    func jitterStaysWithinBounds(seed: UInt64) {
        let schedule = RetrySchedule()
        var rng = SplitMix64(seed: seed)
        for (n, seconds) in Self.expectedSeconds.enumerated() {
            var low = Double.infinity, high = -Double.infinity
            for _ in 0..<500 {
                let next = schedule.nextAttempt(afterAttempt: n, at: Self.t0, retryAfter: nil, random: &rng)!
                let delay = next.timeIntervalSince(Self.t0)
                low = min(low, delay); high = max(high, delay)
            }
            #expect(low >= seconds * 0.8 - 1e-6 && high <= seconds * 1.2 + 1e-6, "attempt \(n + 1)")
            if seconds > 0 {
                // 500 uniform draws spread over most of the ±20% band.
                #expect(low < seconds * 0.85 && high > seconds * 1.15, "attempt \(n + 1) spread")
            } else {
                #expect(low == 0 && high == 0)
            }
        }
    }

    @Test func sameSeedSameDraws() {
        let schedule = RetrySchedule()
        var a = SplitMix64(seed: 7), b = SplitMix64(seed: 7)
        for n in 0..<10 {
            #expect(schedule.nextAttempt(afterAttempt: n, at: Self.t0, retryAfter: nil, random: &a)
                == schedule.nextAttempt(afterAttempt: n, at: Self.t0, retryAfter: nil, random: &b))
        }
    }

    @Test func configurableScheduleAndJitterClamp() {
        let schedule = RetrySchedule(delays: [.seconds(1), .seconds(-5), .milliseconds(1500)], jitter: 7)
        #expect(schedule.jitter == 1)
        #expect(schedule.delays == [.seconds(1), .zero, .milliseconds(1500)])
        #expect(RetrySchedule(jitter: -1).jitter == 0)
        #expect(RetrySchedule(jitter: .nan).jitter == 0)
        var rng = SplitMix64(seed: 3)
        let noJitter = RetrySchedule(delays: [.zero, .milliseconds(1500)], jitter: 0)
        #expect(noJitter.nextAttempt(afterAttempt: 1, at: Self.t0, retryAfter: nil, random: &rng)
            == Self.t0.addingTimeInterval(1.5))
    }

    @Test func retryAfterIsClampedIntoTheSchedule() {
        let schedule = RetrySchedule() // jitter 0.2, max 24 h
        var rng = SplitMix64(seed: 9)
        func delay(after n: Int, _ retryAfter: Duration) -> Double {
            schedule.nextAttempt(afterAttempt: n, at: Self.t0, retryAfter: retryAfter, random: &rng)!
                .timeIntervalSince(Self.t0)
        }
        // After attempt 2 the scheduled delay is 5 min: the floor is 4 min.
        #expect(delay(after: 2, .seconds(600)) == 600)          // honoured as is, no jitter
        #expect(delay(after: 2, .seconds(250)) == 250)          // earlier than scheduled but above floor
        #expect(delay(after: 2, .seconds(10)) == 240)           // raised to 5 min × 0.8
        #expect(delay(after: 2, .zero) == 240)
        #expect(delay(after: 2, .seconds(7 * 86400)) == 86400)  // lowered to the longest step
        #expect(delay(after: 9, .seconds(3600)) == 86400 * 0.8) // last step's floor is 19.2 h
        #expect(delay(after: 0, .seconds(30)) == 30)            // floor 0 for the immediate first attempt
        // Retry-After does not consume randomness.
        var a = SplitMix64(seed: 5), b = SplitMix64(seed: 5)
        _ = schedule.nextAttempt(afterAttempt: 3, at: Self.t0, retryAfter: .seconds(100), random: &a)
        #expect(a.next() == b.next())
    }
}
