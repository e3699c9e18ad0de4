import Foundation
import Testing

@testable import CaseworkerCore

@Suite struct ULIDTests {
    @Test func encodesTheSpecsBounds() {
        #expect(ULIDGenerator.encode(time: 0, randomHigh: 0, randomLow: 0) == "00000000000000000000000000")
        #expect(
            ULIDGenerator.encode(time: (1 << 48) - 1, randomHigh: .max, randomLow: .max) == "7ZZZZZZZZZZZZZZZZZZZZZZZZZ")
        // 1469918176385 ms is the spec's example timestamp "01ARYZ6S41".
        #expect(ULIDGenerator.encode(time: 1_469_918_176_385, randomHigh: 0, randomLow: 0).hasPrefix("01ARYZ6S41"))
    }

    @Test func idsSortInCreationOrderEvenWithinOneMillisecond() {
        let generator = ULIDGenerator()
        let instant = Date(timeIntervalSince1970: 1_800_000_000)
        let sameMillisecond = (0..<1000).map { _ in generator.next(at: instant) }
        #expect(sameMillisecond == sameMillisecond.sorted())
        #expect(Set(sameMillisecond).count == 1000)
        let later = generator.next(at: instant.addingTimeInterval(0.002))
        #expect(later > sameMillisecond.last!)
        // A clock stepping back never produces a smaller id.
        #expect(generator.next(at: instant.addingTimeInterval(-10)) > later)
    }

    @Test func idsAre26CrockfordCharacters() {
        let id = ULIDGenerator().next(at: Date())
        #expect(id.count == 26)
        #expect(id.allSatisfy { "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains($0) })
    }

    @Test func theLowerBoundOfAnInstantSeparatesEarlierIdsFromTheRest() {
        let instant = Date(timeIntervalSince1970: 1_800_000_000.123)
        let bound = ULIDGenerator.lowerBound(at: instant)
        let atInstant = (0..<100).map { _ in ULIDGenerator().next(at: instant) }
        let before = (0..<100).map { _ in ULIDGenerator().next(at: instant.addingTimeInterval(-0.001)) }
        #expect(atInstant.allSatisfy { $0 >= bound })
        #expect(before.allSatisfy { $0 < bound })
        #expect(bound.count == 26 && bound.hasSuffix("0000000000000000"))
    }
}
