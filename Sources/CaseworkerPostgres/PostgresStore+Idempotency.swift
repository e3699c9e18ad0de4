import CaseworkerCore
import CaseworkerStore
import Foundation
import PostgresNIO

extension PostgresStore: IdempotencyStore {
    /// Claims the key in one statement, `INSERT … ON CONFLICT DO UPDATE … WHERE`: a new key is
    /// inserted, an expired record or a dead claim (in flight past its `locked_until`) is replaced,
    /// and any other record is left as it is but locked by this transaction, which then reads it
    /// to answer `inFlight`, `mismatch` or `replay`. Instances beginning the same key at once are
    /// serialised on its row (or its unique index): exactly one of them starts, the others see its
    /// claim.
    public func beginIdempotentRequest(
        tenantId: String, key: String, requestHash: String, now: Date, lockedUntil: Date, expiresAt: Date
    ) async throws -> IdempotencyBegin {
        let nowMillis = Timestamp.millis(now)
        return try await write("beginIdempotentRequest") { tx in
            let claimed = try await tx.row(
                """
                INSERT INTO idempotency_keys (tenant_id, key, request_hash, state, locked_until, created_at, expires_at)
                VALUES (\(tenantId), \(key), \(requestHash), 'IN_FLIGHT', \(Timestamp.millis(lockedUntil)), \(nowMillis),
                    \(Timestamp.millis(expiresAt)))
                ON CONFLICT (tenant_id, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, state = 'IN_FLIGHT',
                    locked_until = EXCLUDED.locked_until, response_status = NULL, response_headers = NULL, response_body = NULL,
                    case_id = NULL, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
                WHERE idempotency_keys.expires_at <= \(nowMillis)
                    OR (idempotency_keys.state = 'IN_FLIGHT' AND COALESCE(idempotency_keys.locked_until, 0) <= \(nowMillis))
                RETURNING key
                """)
            if claimed != nil { return .started }
            // The record this statement locked and kept: nobody changes it before this commit.
            guard let row = try await tx.row("SELECT * FROM idempotency_keys WHERE tenant_id = \(tenantId) AND key = \(key)") else {
                throw StoreError.conflict("idempotency key '\(key)' vanished while locked")
            }
            guard try row["request_hash"].decode(String.self) == requestHash else { return .mismatch }
            guard try row["state"].decode(String.self) == "DONE" else { return .inFlight }
            let headers = try StoredResponse.headers(columnText: try row["response_headers"].decode(String.self))
            return .replay(
                StoredResponse(
                    status: try row["response_status"].decode(Int.self), headers: headers,
                    body: [UInt8](try row["response_body"].decode(Data.self))))
        }
    }

    public func completeIdempotentRequest(tenantId: String, key: String, response: StoredResponse) async throws {
        let headers = response.headersColumnText
        try await write("completeIdempotentRequest") { tx in
            try await tx.execute(
                """
                UPDATE idempotency_keys SET state = 'DONE', locked_until = NULL, response_status = \(response.status),
                    response_headers = \(headers), response_body = \(Data(response.body)), case_id = \(response.caseId)
                WHERE tenant_id = \(tenantId) AND key = \(key) AND state = 'IN_FLIGHT'
                """)
        }
    }

    public func abandonIdempotentRequest(tenantId: String, key: String) async throws {
        try await write("abandonIdempotentRequest") { tx in
            try await tx.execute("DELETE FROM idempotency_keys WHERE tenant_id = \(tenantId) AND key = \(key) AND state = 'IN_FLIGHT'")
        }
    }
}
