import Foundation

/// Where the PostgreSQL store connects, parsed from `database.url`
/// (`postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=MODE]`).
///
/// The password may instead come from a file (`database.passwordFile`), so that the URL in the
/// configuration holds no secret. `description` never shows the password: options are safe to log.
public struct PostgresOptions: Sendable, Equatable, CustomStringConvertible {
    /// `sslmode` as libpq names it, of the modes that make sense for a daemon.
    public enum TLSMode: String, Sendable, CaseIterable {
        /// Plain TCP (loopback, a unix socket, or a private network).
        case disable
        /// TLS when the server offers it, plain otherwise. libpq's default.
        case prefer
        /// TLS or no connection; the certificate is not verified.
        case require
        /// TLS, with the certificate verified against the system's roots and the host name.
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// Connections of the pool; every instance opens up to this many, plus one that listens.
    public var maximumConnections: Int

    public init(
        host: String, port: Int = 5432, username: String, password: String? = nil, database: String,
        tls: TLSMode = .prefer, maximumConnections: Int = 16
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.maximumConnections = maximumConnections
    }

    /// Parses `url`; the error says what is wrong (as a problem of the key `database.url`:
    /// "must …") without repeating the URL, which may hold a password.
    public init(url: String) throws(PostgresOptionsError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme,
            ["postgres", "postgresql"].contains(scheme.lowercased())
        else {
            throw PostgresOptionsError(
                "must be a URL postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=MODE] (special characters percent-encoded)")
        }
        guard let host = components.host, !host.isEmpty else { throw PostgresOptionsError("must name a host (postgres://USER@HOST/DB)") }
        guard let user = components.user, !user.isEmpty else { throw PostgresOptionsError("must name a user (postgres://USER@HOST/DB)") }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw PostgresOptionsError("must name one database after the host (postgres://USER@HOST/DB)")
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw PostgresOptionsError("must have a port from 1 to 65535")
        }
        var tls = TLSMode.prefer
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    throw PostgresOptionsError("must have an sslmode of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                tls = mode
            default:
                throw PostgresOptionsError("must have no parameter but sslmode (it has \(item.name))")
            }
        }
        self.init(
            host: host, port: components.port ?? 5432, username: user.removingPercentEncoding ?? user,
            password: components.password.map { $0.removingPercentEncoding ?? $0 },
            database: database.removingPercentEncoding ?? database, tls: tls)
    }

    /// The URL without its password.
    public var description: String {
        "postgres://\(username)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)?sslmode=\(tls.rawValue)"
    }
}

/// A `database.url` that cannot be used, and why.
public struct PostgresOptionsError: Error, Equatable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
