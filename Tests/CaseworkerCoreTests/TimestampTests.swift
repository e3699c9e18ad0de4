import CaseworkerCore
import Foundation
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
