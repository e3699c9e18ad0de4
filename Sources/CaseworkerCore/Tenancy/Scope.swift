/// What an API key may do. A scope is `admin` (everything in the key's tenant) or
/// `<resource>:<access>`, e.g. `cases:read`, `workflows:write`. `write` includes `read`.
/// `tasks:work` is the workers' scope (`/v1/tasks`): it grants nothing else, and nothing else
/// (`admin` aside) grants it.
///
/// Scopes are checked per route group: `GET`/`HEAD` need `read`, every other method `write`;
/// every `/v1/tasks` route needs `tasks:work`.
public struct Scope: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Resource: String, Sendable, CaseIterable, Comparable {
        case cases, parameters, definitions, workflows, webhooks, tasks
        public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

        /// The accesses a scope on this resource may name.
        public var accesses: [Access] { self == .tasks ? [.work] : [.read, .write] }
    }

    public enum Access: String, Sendable, CaseIterable, Comparable {
        case read, write, work
        public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    }

    /// `nil` resource means `admin`.
    public let resource: Resource?
    public let access: Access

    public static let admin = Scope(resource: nil, access: .write)

    public static func of(_ resource: Resource, _ access: Access) -> Scope {
        Scope(resource: resource, access: access)
    }

    private init(resource: Resource?, access: Access) {
        self.resource = resource
        self.access = access
    }

    /// Parses `admin` or `resource:read|write`; `nil` for anything else.
    public init?(_ text: String) {
        if text == "admin" {
            self = .admin
            return
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let resource = Resource(rawValue: String(parts[0])),
            let access = Access(rawValue: String(parts[1])), resource.accesses.contains(access)
        else { return nil }
        self.init(resource: resource, access: access)
    }

    /// Every scope text `init?(_:)` accepts, for help texts and error messages.
    public static var allNames: [String] {
        ["admin"] + Resource.allCases.flatMap { r in r.accesses.map { "\(r.rawValue):\($0.rawValue)" } }
    }

    /// Whether a key holding this scope may perform `access` on `resource`.
    public func grants(_ access: Access, on resource: Resource) -> Bool {
        guard let own = self.resource else { return true }
        return own == resource && (self.access == access || (self.access == .write && access == .read))
    }

    public var description: String {
        resource.map { "\($0.rawValue):\(access.rawValue)" } ?? "admin"
    }

    public static func < (a: Scope, b: Scope) -> Bool { a.description < b.description }
}
