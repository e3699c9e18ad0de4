@testable import CaseworkerCore
import Foundation
import CaseworkerTestSupport
import Testing

@Suite struct TimestampTests {
    @Test func formatsRFC3339UTCWithMilliseconds() {
        #expect(Timestamp.rfc3339(millis: 0) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.rfc3339(millis: 1_795_346_666_123) == "2026-11-22T11:24:26.123Z")
    }

    @Test func millisecondsRoundTripExactly() {
        var millis: Int64 = 1_795_346_666_000
        for _ in 0..<2000 {
            millis += 7
            #expect(Timestamp.millis(Timestamp.date(millis: millis)) == millis)
        }
    }

    @Test func parsesWithAndWithoutFractionsAndOffsets() {
        #expect(Timestamp.parse("2026-11-22T11:24:26.123Z").map(Timestamp.millis) == 1_795_346_666_123)
        #expect(Timestamp.parse("2026-11-22T11:24:26Z").map(Timestamp.millis) == 1_795_346_666_000)
        #expect(Timestamp.parse("yesterday") == nil)
    }
}

@Suite struct TimestampFormattingTests {
    /// The hand-written formatter against Foundation's format style, over the range it covers, and
    /// the format style outside it.
    @Test func formatsLikeTheISO8601FormatStyle() {
        var random = SplitMix64(seed: 3339)
        let first: Int64 = -11_676_096_000_000  // 1600-01-01T00:00:00Z
        let last: Int64 = 253_402_300_799_999  // 9999-12-31T23:59:59.999Z
        var samples: [Int64] = [0, -1, 1, 999, -999, first, first - 1, last, last + 1, -62_135_596_800_000, 951_782_400_000, 4_107_542_400_000, 1_795_346_666_123]
        for _ in 0..<5000 { samples.append(first + Int64(random.next() % UInt64(last - first + 1))) }
        for millis in samples {
            let (seconds, remainder) = millis.quotientAndRemainder(dividingBy: 1000)
            let reference = remainder < 0
                ? Timestamp.formatted(seconds: seconds - 1, milliseconds: remainder + 1000)
                : Timestamp.formatted(seconds: seconds, milliseconds: remainder)
            #expect(Timestamp.rfc3339(millis: millis) == reference, "\(millis)")
        }
    }
}
