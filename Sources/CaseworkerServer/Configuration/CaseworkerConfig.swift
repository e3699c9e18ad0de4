import CaseworkerOutbound
import Foundation
import CaseworkerAPI
import CaseworkerCore
import CaseworkerDashboard
import CaseworkerEngine
import CaseworkerPostgres
import CaseworkerSQLite
import CaseworkerWebhooks
import Logging

/// The daemon's settings. `etc/caseworker.yaml` documents every key with its default; the
/// environment overrides a key as `CASEWORKER_` + the key in upper snake case
/// (`database.busyTimeoutMilliseconds` → `CASEWORKER_DATABASE_BUSY_TIMEOUT_MILLISECONDS`).
public struct CaseworkerConfig: Sendable, Equatable {
    public struct Server: Sendable, Equatable {
        /// `server.listen`, default `127.0.0.1:8080`.
        public var listen = ListenAddress(host: "127.0.0.1", port: 8080)
        /// `server.maxBodyBytes`, default 1 MiB.
        public var maxBodyBytes = 1 << 20
        /// `server.idempotencyKeyHours`, default 24.
        public var idempotencyKeyHours = 24
        /// `server.idleTimeoutSeconds`, 1–3600, default 60: a connection that has not delivered a
        /// complete request head for this long (idle between requests, or sending its headers
        /// slowly) is closed. A request being answered (a long poll) is not idle.
        public var idleTimeoutSeconds = 60
        /// `server.requestTimeoutSeconds`, 1–3600, default 30: the longest a client may take from
        /// a request's head to the end of its body; past it the answer is 408 and the connection
        /// is closed.
        public var requestTimeoutSeconds = 30

        /// The HTTP API's settings from these keys.
        public var apiConfiguration: APIConfiguration {
            APIConfiguration(
                maxBodyBytes: maxBodyBytes, idempotencyRetention: .seconds(idempotencyKeyHours * 3600),
                idleTimeout: .seconds(idleTimeoutSeconds), requestTimeout: .seconds(requestTimeoutSeconds))
        }
    }

    public struct Database: Sendable, Equatable {
        /// `database.path`, default `/var/lib/caseworker/caseworker.sqlite`.
        public var path = "/var/lib/caseworker/caseworker.sqlite"
        /// `database.synchronous`, `full` (default) or `normal`.
        public var synchronous = SQLiteStore.Synchronous.full
        /// `database.busyTimeoutMilliseconds`, default 5000.
        public var busyTimeoutMilliseconds = 5000
        /// `database.url`: a PostgreSQL database
        /// (`postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=disable|prefer|require|verify-full]`)
        /// instead of the SQLite file, for several instances on one database. Default empty
        /// (`nil`): SQLite at `path`. Holds the password of `passwordFile` when that is set, and
        /// `maxConnections` as its pool's size; its `description` never shows the password.
        public var url: PostgresOptions?
        /// `database.passwordFile`: a file holding the PostgreSQL password (one trailing newline
        /// is ignored); it overrides a password in `url`. Default empty (`nil`).
        public var passwordFile: String?
        /// `database.maxConnections`, 1–1000, default 16: the PostgreSQL pool of each instance
        /// (which opens one more to listen for the others' notifications).
        public var maxConnections = 16

        /// The database this configuration selects, for `check-config` and the logs (never with a
        /// password).
        public var summary: String {
            guard let url else { return "SQLite file \(path)" }
            return "PostgreSQL \(url), up to \(url.maximumConnections) connections and 1 listening"
        }
    }

    public struct Log: Sendable, Equatable {
        /// `log.level`, default `info`.
        public var level = Logger.Level.info
        /// `log.format`: `json` (one object per line; the default with a configuration file) or
        /// `text` (the default in `--dev`).
        public var format = LogSetup.Format.json
    }

    /// Webhook delivery (SPEC 3); see `DispatcherConfiguration` for what each key does.
    public struct Webhooks: Sendable, Equatable {
        /// `webhooks.schedule`: the delay before each attempt, from the previous one (the first
        /// from the event). Default `[0s, 5s, 5m, 30m, 2h, 5h, 10h, 14h, 20h, 24h]`.
        public var schedule = RetrySchedule.defaultDelays
        /// `webhooks.jitter`: the fraction each delay varies by, 0–1. Default 0.2 (±20%).
        public var jitter = RetrySchedule.defaultJitter
        /// `webhooks.attemptTimeoutSeconds`, 1–300, default 15.
        public var attemptTimeoutSeconds = 15
        /// `webhooks.maxInFlightPerEndpoint`, 1–1024, default 16.
        public var maxInFlightPerEndpoint = 16
        /// `webhooks.maxInFlight`, 1–10000, default 256.
        public var maxInFlight = 256
        /// `webhooks.disableAfterFailingHours`, 1–8760, default 120 (5 days).
        public var disableAfterFailingHours = 120
        /// `webhooks.allowedNetworks`: CIDRs the SSRF guard lets deliveries reach. Default none.
        public var allowedNetworks: [CIDR] = []

        /// The dispatcher's settings from these keys.
        public var dispatcherConfiguration: DispatcherConfiguration {
            DispatcherConfiguration(
                schedule: RetrySchedule(delays: schedule, jitter: jitter), attemptTimeout: .seconds(attemptTimeoutSeconds),
                maxInFlightPerEndpoint: maxInFlightPerEndpoint, maxInFlight: maxInFlight,
                disablePolicy: EndpointDisablePolicy(period: .seconds(disableAfterFailingHours * 3600)),
                addressPolicy: AddressPolicy(allowedNetworks: allowedNetworks))
        }
    }

    /// How long finished work is kept (`retention.*`); `0s` keeps it forever.
    public struct Retention: Sendable, Equatable {
        /// `retention.finishedRuns`, default 90 days.
        public var finishedRuns: Duration = .seconds(90 * 86_400)
        /// `retention.deliveredEvents`, default 30 days.
        public var deliveredEvents: Duration = .seconds(30 * 86_400)

        /// The date before which work is purged, or `nil` for "keep forever".
        public func cutoff(_ age: Duration, now: Date) -> Date? {
            age == .zero ? nil : now.addingTimeInterval(-Double(age.components.seconds))
        }
    }

    /// `/metrics` (Prometheus text).
    public struct Metrics: Sendable, Equatable {
        /// `metrics.listen`: a separate `HOST:PORT` serving only `/metrics` (then the API
        /// listener does not serve it). Default empty (`nil`): `/metrics` on `server.listen`.
        public var listen: ListenAddress?
    }

    public var server = Server()
    public var database = Database()
    /// `engine.maxConcurrentRuns` (64), `engine.maxStepsPerRun` (1000),
    /// `engine.shutdownGraceSeconds` (20), `engine.maxExecutorFailures` (5),
    /// `engine.leaseSeconds` (6), `engine.heartbeatSeconds` (2), `engine.maxBranches` (32).
    public var engine = EngineConfiguration()
    /// `engine.httpAllowedNetworks`: CIDRs `http.request` steps may reach although the SSRF guard
    /// refuses their range by default (loopback, private, link-local, ...). Default none.
    public var engineHTTPAllowedNetworks: [CIDR] = []
    /// `engine.exec.programs` (none) and `engine.exec.maxOutputBytes` (1 MiB): what `exec` steps
    /// may run (`ExecProgramsConfig`, `ExecAction`).
    public var engineExec = ExecConfiguration()
    public var log = Log()
    public var retention = Retention()
    public var webhooks = Webhooks()
    public var metrics = Metrics()
    /// `ui.enabled` (true), `ui.sessionIdleMinutes` (30), `ui.sessionHours` (12),
    /// `ui.loginAttemptsPerMinute` (10), `ui.secureCookies` (false), `ui.trustForwardedProto` (false):
    /// the dashboard under `/ui`.
    public var ui = DashboardConfiguration()
    /// `limits.maxValueDepth` (128), `limits.maxValueBytes` (1 MiB), `limits.maxStateBytes`
    /// (4 MiB), `limits.evaluationBudget` (1,000,000), `limits.maxRateKeyBytes` (512): the bounds
    /// on values (`ValueLimits`), for the API and the engine alike.
    public var limits = ValueLimits.default

    public init() {}

    /// Every key the configuration knows, in the order `etc/caseworker.yaml` lists them.
    public static let keys = [
        "server.listen", "server.maxBodyBytes", "server.idempotencyKeyHours", "server.idleTimeoutSeconds",
        "server.requestTimeoutSeconds",
        "database.path", "database.synchronous", "database.busyTimeoutMilliseconds", "database.url", "database.passwordFile",
        "database.maxConnections",
        "engine.maxConcurrentRuns", "engine.maxStepsPerRun", "engine.shutdownGraceSeconds", "engine.maxExecutorFailures",
        "engine.leaseSeconds", "engine.heartbeatSeconds", "engine.maxBranches", "engine.httpAllowedNetworks",
        "engine.exec.maxOutputBytes", "engine.exec.programs",
        "log.level", "log.format",
        "retention.finishedRuns", "retention.deliveredEvents",
        "webhooks.schedule", "webhooks.jitter", "webhooks.attemptTimeoutSeconds", "webhooks.maxInFlightPerEndpoint",
        "webhooks.maxInFlight", "webhooks.disableAfterFailingHours", "webhooks.allowedNetworks",
        "metrics.listen",
        "limits.maxValueDepth", "limits.maxValueBytes", "limits.maxStateBytes", "limits.evaluationBudget", "limits.maxRateKeyBytes",
        "ui.enabled", "ui.sessionIdleMinutes", "ui.sessionHours", "ui.loginAttemptsPerMinute", "ui.secureCookies", "ui.trustForwardedProto",
    ]

    /// The environment variable that overrides `key`.
    public static func environmentName(for key: String) -> String {
        var name = "CASEWORKER"
        for component in key.split(separator: ".") {
            name += "_"
            for character in component {
                if character.isUppercase { name += "_" }
                name += character.uppercased()
            }
        }
        return name
    }
}

/// `HOST:PORT` to listen on; `HOST` is an IPv4 address, a host name or a bracketed IPv6 address.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`; `nil` if malformed or the port is not 0–65535 (0 picks a free port).
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
            guard host.contains(":") else { return nil }
        } else if host.contains(":") {
            return nil  // an IPv6 address must be bracketed
        }
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || $0 == "/" }) else { return nil }
        self.init(host: host, port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
