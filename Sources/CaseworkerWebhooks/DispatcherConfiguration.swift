import CaseworkerOutbound

/// The dispatcher's settings; the daemon fills them from the `webhooks.*` configuration keys
/// (`etc/caseworker.yaml` lists each with its default).
public struct DispatcherConfiguration: Sendable, Hashable {
    /// `webhooks.schedule` and `webhooks.jitter`: when each attempt happens (default: at once,
    /// 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h, ±20%).
    public var schedule: RetrySchedule
    /// `webhooks.attemptTimeoutSeconds`: the longest an attempt may take, from connecting to the
    /// last byte read (default 15 s). A slower receiver counts as a failed attempt.
    public var attemptTimeout: Duration
    /// `webhooks.maxInFlightPerEndpoint`: attempts in flight to one endpoint (default 16).
    public var maxInFlightPerEndpoint: Int
    /// `webhooks.maxInFlight`: attempts in flight in all (default 256).
    public var maxInFlight: Int
    /// `webhooks.disableAfterFailingHours`: an endpoint failing without success this long is
    /// disabled (default 120 hours, 5 days).
    public var disablePolicy: EndpointDisablePolicy
    /// `webhooks.allowedNetworks`: the SSRF guard (by default nothing private is reachable).
    public var addressPolicy: AddressPolicy
    /// How often the dispatcher looks for due deliveries when nothing woke it (retries coming
    /// due, work committed by another process such as the CLI). Default 1 s.
    public var pollInterval: Duration
    /// How long a claimed delivery stays leased; a lease that expires (the process died) makes
    /// the delivery claimable again. Always longer than an attempt: at least
    /// `attemptTimeout + 15 s`. Default 60 s.
    public var leaseDuration: Duration
    /// On graceful shutdown, how long attempts in flight may still take before they are
    /// cancelled (their leases expire and they are sent again after the restart). Default 10 s.
    public var shutdownGrace: Duration

    public init(
        schedule: RetrySchedule = .standard, attemptTimeout: Duration = .seconds(15), maxInFlightPerEndpoint: Int = 16,
        maxInFlight: Int = 256, disablePolicy: EndpointDisablePolicy = EndpointDisablePolicy(),
        addressPolicy: AddressPolicy = AddressPolicy(), pollInterval: Duration = .seconds(1), leaseDuration: Duration = .seconds(60),
        shutdownGrace: Duration = .seconds(10)
    ) {
        self.schedule = schedule
        self.attemptTimeout = attemptTimeout
        self.maxInFlightPerEndpoint = max(1, maxInFlightPerEndpoint)
        self.maxInFlight = max(1, maxInFlight)
        self.disablePolicy = disablePolicy
        self.addressPolicy = addressPolicy
        self.pollInterval = pollInterval
        self.leaseDuration = max(leaseDuration, attemptTimeout + .seconds(15))
        self.shutdownGrace = shutdownGrace
    }

    /// The largest response body prefix kept in the attempt log.
    public static let responseBodyLimit = 4096
}
