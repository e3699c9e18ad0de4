import CaseworkerStore
import Testing

/// The one wake-up primitive (`WorkSignal`): the engine's claim loop and the dispatcher wait on it.
@Suite struct WorkSignalTests {
    @Test func aSignalBeforeTheWaitIsRememberedOnce() async {
        let signal = WorkSignal()
        signal.signal()
        signal.signal()
        #expect(await signal.wait(timeout: .seconds(5)), "a signal given while nobody waited wakes the next wait")
        #expect(await signal.wait(timeout: .milliseconds(20)) == false, "signals coalesce: the second wait times out")
    }

    @Test func oneSignalWakesEveryWaiter() async throws {
        let signal = WorkSignal()
        // Generous bounds: under the whole suite on two cores, a task may start seconds late.
        let waiters = (0..<3).map { _ in Task { await signal.wait(timeout: .seconds(120)) } }
        let deadline = ContinuousClock.now + .seconds(60)
        while signal.waiterCount < 3, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(1)) }
        #expect(signal.waiterCount == 3)
        signal.signal()
        for waiter in waiters { #expect(await waiter.value, "every waiter is woken, none left to its timeout") }
    }

    @Test func aCancelledWaitReturnsAtOnce() async {
        let signal = WorkSignal()
        let waiting = Task { await signal.wait(timeout: .seconds(30)) }
        waiting.cancel()
        #expect(await waiting.value == false)
    }
}
