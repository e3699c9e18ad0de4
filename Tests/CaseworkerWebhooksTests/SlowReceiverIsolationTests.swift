import CaseworkerCore
import CaseworkerStore
import Foundation
import Testing

@testable import CaseworkerWebhooks

/// One endpoint that hangs holds only its own in-flight slots: another endpoint's deliveries all
/// complete while the slow one's are still waiting. Asserted by completion and counts, not by
/// wall-clock thresholds.
@Suite struct SlowReceiverIsolationTests {
    @Test func aHangingEndpointNeverDelaysAnother() async throws {
        let h = try await Harness()
        defer { h.cleanUp() }
        try await Receiver.with({ name, _ in name == "slow" ? Receiver.Reply(hold: true) : .ok }) { receiver in
            let slow = try await h.endpoint(receiver.url("slow"))
            let fast = try await h.endpoint(receiver.url("fast"))
            for run in 0..<12 { try await h.enqueue(run: "run-\(run)") }
            let configuration = Harness.testConfiguration(attemptTimeout: .seconds(60), perEndpoint: 3, total: 8)
            try await h.withDispatcher(configuration) { _ in
                let delivered = try await h.waitForAttempts(fast.id, count: 12)
                #expect(delivered.allSatisfy { $0.status == .succeeded })
                // Meanwhile the slow endpoint holds exactly its own limit, and none of it finished.
                #expect(receiver.received("slow").count == 3)
                let slowDeliveries = try await h.deliveries(endpoint: slow.id)
                #expect(slowDeliveries.filter { $0.status == .delivering }.count == 3)
                #expect(slowDeliveries.filter { $0.status == .pending }.count == 9)

                receiver.release()
                let caughtUp = try await h.waitForAttempts(slow.id, count: 12)
                #expect(caughtUp.allSatisfy { $0.status == .succeeded })
            }
            #expect(Set(receiver.received("slow").compactMap(\.webhookId)).count == 12)
        }
    }
}
