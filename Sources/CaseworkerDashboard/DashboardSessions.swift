import CaseworkerCore
import Foundation

/// A signed-in operator: which key signed in (never the key itself, only its hash, so that a
/// revoked key ends the session), and the session's CSRF token.
struct DashboardSession: Sendable {
    var keySecretHash: String
    var csrfToken: String
    var createdAt: Date
    var lastSeenAt: Date
}

/// The server-side sessions of the dashboard, in memory: a restart signs everyone out. The cookie
/// holds a random token; the table is keyed by its SHA-256, so a memory dump yields no cookie.
///
/// A session ends after `idle` without a request, `lifetime` after sign-in, on sign-out, or when
/// its key is revoked. At most `capacity` sessions are kept; past it the least recently used goes.
actor DashboardSessions {
    private var sessions: [String: DashboardSession] = [:]
    private let idle: Duration
    private let lifetime: Duration
    private let capacity: Int
    private let now: @Sendable () -> Date

    init(idle: Duration, lifetime: Duration, capacity: Int = 10_000, now: @escaping @Sendable () -> Date) {
        self.idle = idle
        self.lifetime = lifetime
        self.capacity = capacity
        self.now = now
    }

    /// Starts a session for the key whose secret hashes to `keySecretHash`; answers the cookie's token.
    func start(keySecretHash: String) -> String {
        let token = Self.randomToken()
        let time = now()
        if sessions.count >= capacity, let oldest = sessions.min(by: { $0.value.lastSeenAt < $1.value.lastSeenAt })?.key {
            sessions[oldest] = nil
        }
        sessions[Self.hash(token)] = DashboardSession(keySecretHash: keySecretHash, csrfToken: Self.randomToken(), createdAt: time, lastSeenAt: time)
        return token
    }

    /// The live session of `token`, marked as used now; `nil` (and forgotten) once expired.
    func use(token: String) -> DashboardSession? {
        let id = Self.hash(token)
        guard var session = sessions[id] else { return nil }
        let time = now()
        guard time.timeIntervalSince(session.lastSeenAt) < idle.seconds, time.timeIntervalSince(session.createdAt) < lifetime.seconds else {
            sessions[id] = nil
            return nil
        }
        session.lastSeenAt = time
        sessions[id] = session
        return session
    }

    func end(token: String) { sessions[Self.hash(token)] = nil }

    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    static func hash(_ token: String) -> String { SHA256Hex.of(Data(token.utf8)) }
}

/// Sign-in attempts per client address in fixed one-minute windows.
actor LoginAttempts {
    private var windows: [String: (start: Date, count: Int)] = [:]
    private let perMinute: Int
    private let now: @Sendable () -> Date

    init(perMinute: Int, now: @escaping @Sendable () -> Date) {
        self.perMinute = perMinute
        self.now = now
    }

    /// Counts an attempt from `address`; answers the seconds to wait when it is over the limit.
    func attempt(from address: String) -> Int? {
        let time = now()
        if windows.count > 100_000 { windows = windows.filter { time.timeIntervalSince($0.value.start) < 60 } }
        var window = windows[address].flatMap { time.timeIntervalSince($0.start) < 60 ? $0 : nil } ?? (start: time, count: 0)
        window.count += 1
        windows[address] = window
        guard window.count > perMinute else { return nil }
        return max(1, Int((60 - time.timeIntervalSince(window.start)).rounded(.up)))
    }
}
