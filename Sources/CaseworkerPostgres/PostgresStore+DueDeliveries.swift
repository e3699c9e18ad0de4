import PostgresNIO

extension PostgresStore {
    /// The one statement of a claim (`claimDueDeliveries`): leases the due deliveries to `owner`
    /// until `leaseExpires` and answers each with its event and endpoint, in id order.
    ///
    /// Which: due ones, oldest due first (due time, then id), at most `limit`, and per enabled
    /// endpoint at most `perEndpointLimit` minus its `inFlight` count (SQLite's
    /// `dueDeliveries`). Due means `PENDING` with `next_attempt_at <= now`, or `DELIVERING` with
    /// an expired lease (due at its expiry).
    ///
    /// Safe for several instances claiming at once: the candidates are read without locks, then
    /// locked `FOR UPDATE SKIP LOCKED` in their order until `limit` are held, each read again as
    /// it is locked. So a delivery another claim holds is skipped (that claim takes it), one that
    /// another claim leased and committed meanwhile is no longer due, no delivery is leased twice,
    /// and a claim locks only what it takes: claims of several instances at once share the due
    /// deliveries. (Claims that overlap in time may leave an endpoint's later due deliveries to
    /// the next claim: each one's candidates of an endpoint are its oldest due ones.)
    ///
    /// The cost grows with the deliveries taken and the endpoints that have pending ones, not
    /// with the backlog: the endpoints with pending deliveries are found by one seek each in
    /// `webhook_deliveries_endpoint_due` (a loose index scan, as SQLite's loop of
    /// `MIN(endpoint_id)`), and each endpoint's oldest due ones are read from an index that stops
    /// after `perEndpointLimit` (a constant: with a per-row limit the planner guesses 10% of the
    /// endpoint's rows and may sort them all), then cut to its free places. Expired leases are
    /// read in full: only deliveries in flight hold a lease, so they are few.
    static func claimStatement(
        limit: Int, perEndpointLimit: Int, inFlight: [String: Int], owner: String, leaseExpires: Int64, now: Int64
    ) -> PostgresQuery {
        let flightIds = Array(inFlight.keys)
        let flightCounts = flightIds.map { Int64(inFlight[$0] ?? 0) }
        return """
            WITH RECURSIVE pending_endpoints(endpoint_id) AS (
                (SELECT endpoint_id FROM webhook_deliveries WHERE status = 'PENDING' ORDER BY endpoint_id LIMIT 1)
                UNION ALL
                SELECT (SELECT d.endpoint_id FROM webhook_deliveries d
                        WHERE d.status = 'PENDING' AND d.endpoint_id > p.endpoint_id ORDER BY d.endpoint_id LIMIT 1)
                FROM pending_endpoints p WHERE p.endpoint_id IS NOT NULL
            ),
            serving AS (
                SELECT en.id, \(perEndpointLimit) - COALESCE(f.n, 0) AS free
                FROM webhook_endpoints en
                LEFT JOIN unnest(\(flightIds)::text[], \(flightCounts)::bigint[]) AS f(endpoint_id, n) ON f.endpoint_id = en.id
                WHERE en.enabled AND \(perEndpointLimit) - COALESCE(f.n, 0) > 0
                    AND en.id IN (
                        SELECT endpoint_id FROM pending_endpoints
                        UNION SELECT endpoint_id FROM webhook_deliveries WHERE status = 'DELIVERING' AND lease_expires_at <= \(now))
            ),
            candidates AS (
                SELECT taken.id, taken.due_at FROM serving CROSS JOIN LATERAL (
                    SELECT candidate.id, candidate.due_at FROM (
                        (SELECT id, next_attempt_at AS due_at FROM webhook_deliveries
                         WHERE endpoint_id = serving.id AND status = 'PENDING' AND next_attempt_at <= \(now)
                         ORDER BY next_attempt_at, id LIMIT \(perEndpointLimit))
                        UNION ALL
                        SELECT id, lease_expires_at FROM webhook_deliveries
                        WHERE endpoint_id = serving.id AND status = 'DELIVERING' AND lease_expires_at <= \(now)
                    ) candidate
                    ORDER BY candidate.due_at, candidate.id LIMIT serving.free
                ) taken
            ),
            due AS (
                SELECT d.id FROM candidates JOIN webhook_deliveries d ON d.id = candidates.id
                WHERE (d.status = 'PENDING' AND d.next_attempt_at <= \(now)) OR (d.status = 'DELIVERING' AND d.lease_expires_at <= \(now))
                ORDER BY candidates.due_at, candidates.id LIMIT \(limit)
                FOR UPDATE OF d SKIP LOCKED
            ),
            claimed AS (
                UPDATE webhook_deliveries d
                SET status = 'DELIVERING', next_attempt_at = NULL, lease_owner = \(owner), lease_expires_at = \(leaseExpires),
                    updated_at = \(now)
                FROM due WHERE d.id = due.id
                RETURNING d.id, d.tenant_id, d.event_id, d.endpoint_id, d.attempt_count, d.lease_expires_at
            )
            SELECT claimed.*, ev.type, ev.body, en.url, en.secret, en.previous_secret, en.previous_secret_expires_at
            FROM claimed
            JOIN webhook_events ev ON ev.tenant_id = claimed.tenant_id AND ev.id = claimed.event_id
            JOIN webhook_endpoints en ON en.tenant_id = claimed.tenant_id AND en.id = claimed.endpoint_id
            ORDER BY claimed.id
            """
    }
}
