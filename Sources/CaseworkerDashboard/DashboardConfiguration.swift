import Foundation

/// Settings of the dashboard (`ui.*` in the configuration).
public struct DashboardConfiguration: Sendable, Equatable {
    /// `ui.enabled`: whether `/ui` is served at all.
    public var enabled = true
    /// `ui.sessionIdleMinutes`: a session unused this long ends.
    public var sessionIdle: Duration = .seconds(30 * 60)
    /// `ui.sessionHours`: a session ends this long after sign-in, used or not.
    public var sessionLifetime: Duration = .seconds(12 * 3600)
    /// `ui.loginAttemptsPerMinute`: sign-in attempts allowed per client address and minute.
    public var loginAttemptsPerMinute = 10
    /// `ui.secureCookies`: mark the session cookie `Secure` (set it when the dashboard is reached
    /// over HTTPS through a TLS-terminating proxy; the daemon itself speaks plain HTTP).
    public var secureCookies = false
    /// `ui.trustForwardedProto`: mark the cookie `Secure` when the request carries
    /// `X-Forwarded-Proto: https` (set it only when every client comes through that proxy).
    public var trustForwardedProto = false

    public init() {}
}
