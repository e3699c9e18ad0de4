import CaseworkerCore

/// Everything the API and the command line need from persistent storage, as one existential.
///
/// This is the storage boundary: no database driver type crosses it. `CaseworkerSQLite` fills it
/// with GRDB on one SQLite file; a PostgreSQL twin for several instances can fill it later.
/// Every method that touches tenant data takes the tenant id and filters by it: a resource of
/// another tenant is indistinguishable from one that does not exist.
public typealias Store = KeyStore & CaseStore & ParameterSetStore & DefinitionStore & RunStore & WebhookEndpointStore
    & DeliveryStore & IdempotencyStore & RunActivityStore & RunTimelineStore & WorkerTaskStore & StoreHealth

/// Failures a store reports for a valid request that conflicts with the stored state (HTTP 409).
public enum StoreError: Error, Sendable, Equatable {
    /// A unique value is taken, e.g. a case's `externalId` within its tenant.
    case duplicate(field: String)
    /// The resource's state forbids the change, e.g. patching an erased case.
    case conflict(String)
    /// The database's storage is full: nothing was written; retry later (HTTP 503).
    case storageFull
    /// The database cannot be reached (a database server restarting, a broken network): nothing
    /// was written, or a write was not acknowledged; retry later (HTTP 503).
    case unavailable
}

/// One page of a list, newest first. `hasMore` says whether a next page exists.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var hasMore: Bool

    public init(items: [Item], hasMore: Bool) {
        self.items = items
        self.hasMore = hasMore
    }
}

/// A page request: at most `limit` items with ids lower than `beforeId` (ids sort by creation).
public struct PageRequest: Sendable, Equatable {
    public var limit: Int
    public var beforeId: String?

    public init(limit: Int, beforeId: String? = nil) {
        self.limit = limit
        self.beforeId = beforeId
    }
}

/// Readiness of the storage for `/readyz`.
public protocol StoreHealth: Sendable {
    /// Throws unless the database accepts a write and every known migration has been applied.
    func checkReady() async throws
}
