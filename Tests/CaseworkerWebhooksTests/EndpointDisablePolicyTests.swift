import Foundation
import Testing
@testable import CaseworkerWebhooks

@Suite struct EndpointDisablePolicyTests {
    static let first = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func disablesAfterFiveDaysOfFailureByDefault() {
        let policy = EndpointDisablePolicy()
        #expect(policy.period == .seconds(5 * 86400))
        #expect(!policy.shouldDisable(firstFailureSinceLastSuccess: nil, now: Self.first.addingTimeInterval(1e9)))
        #expect(!policy.shouldDisable(firstFailureSinceLastSuccess: Self.first, now: Self.first))
        #expect(!policy.shouldDisable(firstFailureSinceLastSuccess: Self.first, now: Self.first.addingTimeInterval(5 * 86400 - 1)))
        #expect(policy.shouldDisable(firstFailureSinceLastSuccess: Self.first, now: Self.first.addingTimeInterval(5 * 86400)))
        #expect(policy.shouldDisable(firstFailureSinceLastSuccess: Self.first, now: Self.first.addingTimeInterval(6 * 86400)))
        // A clock that went backwards never disables.
        #expect(!policy.shouldDisable(firstFailureSinceLastSuccess: Self.first, now: Self.first.addingTimeInterval(-86400)))
    }

    @Test func periodIsConfigurable() {
        let policy = EndpointDisablePolicy(period: .seconds(3600))
        #expect(!policy.shouldDisable(firstFailureSinceLastSuccess: Self.first, now: Self.first.addingTimeInterval(3599)))
        #expect(policy.shouldDisable(firstFailureSinceLastSuccess: Self.first, now: Self.first.addingTimeInterval(3600)))
    }
}
