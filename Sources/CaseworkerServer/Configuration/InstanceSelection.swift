import Foundation

/// Which Caseworker instance a command works on. Every command selects it the same way:
/// `--config PATH` (default `/etc/caseworker/caseworker.yaml`) or `--dev`.
public enum InstanceSelection: Sendable, Equatable {
    /// A configuration file.
    case file(path: String)
    /// Dev mode: no configuration file; data in `directory` (`./caseworker-data`), listening on
    /// `127.0.0.1:8080`, with a tenant and an admin key created on first start.
    case dev(directory: String)

    public static let defaultConfigPath = "/etc/caseworker/caseworker.yaml"
    public static let defaultDevDirectory = "caseworker-data"

    public var isDev: Bool { if case .dev = self { true } else { false } }
}
