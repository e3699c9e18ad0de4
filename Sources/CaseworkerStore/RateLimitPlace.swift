import CaseworkerCore

/// Where a `PENDING` run stands in the queue of its rate-limit key (SPEC 2.7), as the API shows
/// it in `waitingFor.rateLimit`.
///
/// The queue is the key's `PENDING` runs in start order; the run starts when `position` plus
/// `active` is within its limit (then at the engine's next claim). A key's runs are those of the
/// same tenant and definition with the same evaluated key: a key that evaluated to `null` is the
/// empty key, one queue shared by every such run.
public struct RateLimitPlace: Sendable, Hashable {
    /// 1 for the front of the queue: the run's place among the key's `PENDING` runs.
    public var position: Int
    /// The key's runs holding a slot (`RUNNING` or `WAITING`).
    public var active: Int

    public init(position: Int, active: Int) {
        self.position = position
        self.active = active
    }
}
