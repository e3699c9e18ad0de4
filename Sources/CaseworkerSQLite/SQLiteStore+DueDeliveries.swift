import GRDB

extension SQLiteStore {
    /// The ids of the deliveries a claim leases: due ones, oldest due first (due time, then id),
    /// at most `limit`, and per enabled endpoint at most `perEndpointLimit` minus its `inFlight`.
    ///
    /// Due means `PENDING` with `next_attempt_at <= now`, or `DELIVERING` with an expired lease.
    /// The cost grows with the deliveries taken and the endpoints that have pending ones, not with
    /// the backlog: each endpoint with pending deliveries is found by one seek in
    /// `webhook_deliveries_endpoint_due` (endpoint, due time, id; v8), and its oldest due ones are
    /// read from the same index, no more than the endpoint may take. (One statement that ranked
    /// every due delivery per endpoint sorted the whole backlog on each claim: 234 ms of the
    /// writer's time per claim with 100,000 due deliveries, docs/PERFORMANCE.md.) Expired leases
    /// are read in full: only deliveries in flight hold a lease, so they are few.
    static func dueDeliveries(_ db: Database, limit: Int, perEndpointLimit: Int, inFlight: [String: Int], now: Int64) throws -> [String] {
        struct Candidate {
            var id: String
            var dueAt: Int64
        }
        var enabled: [String: Bool] = [:]
        func isEnabled(_ endpointId: String) throws -> Bool {
            if let known = enabled[endpointId] { return known }
            let value = try Bool.fetchOne(db, cached: "SELECT enabled FROM webhook_endpoints WHERE id = ?", arguments: [endpointId]) ?? false
            enabled[endpointId] = value
            return value
        }

        var candidates: [String: [Candidate]] = [:]
        for row in try Row.fetchAll(
            db,
            cached: "SELECT id, endpoint_id, lease_expires_at FROM webhook_deliveries WHERE status = 'DELIVERING' AND lease_expires_at <= ?",
            arguments: [now])
        {
            candidates[row[1], default: []].append(Candidate(id: row[0], dueAt: row[2]))
        }

        var endpoint = try String.fetchOne(
            db, cached: "SELECT MIN(endpoint_id) FROM webhook_deliveries WHERE status = 'PENDING'")
        while let endpointId = endpoint {
            let free = perEndpointLimit - inFlight[endpointId, default: 0]
            if free > 0, try isEnabled(endpointId) {
                let pending = try Row.fetchAll(
                    db,
                    cached: """
                        SELECT id, next_attempt_at FROM webhook_deliveries
                        WHERE endpoint_id = ? AND status = 'PENDING' AND next_attempt_at <= ?
                        ORDER BY next_attempt_at, id LIMIT ?
                        """,
                    arguments: [endpointId, now, free])
                candidates[endpointId, default: []] += pending.map { Candidate(id: $0[0], dueAt: $0[1]) }
            }
            endpoint = try String.fetchOne(
                db, cached: "SELECT MIN(endpoint_id) FROM webhook_deliveries WHERE status = 'PENDING' AND endpoint_id > ?",
                arguments: [endpointId])
        }

        var taken: [Candidate] = []
        for (endpointId, due) in candidates {
            let free = perEndpointLimit - inFlight[endpointId, default: 0]
            guard free > 0, try isEnabled(endpointId) else { continue }
            taken += due.sorted { ($0.dueAt, $0.id) < ($1.dueAt, $1.id) }.prefix(free)
        }
        return taken.sorted { ($0.dueAt, $0.id) < ($1.dueAt, $1.id) }.prefix(limit).map(\.id)
    }
}
