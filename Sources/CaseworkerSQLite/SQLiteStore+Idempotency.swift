import CaseworkerCore
import CaseworkerStore
import Foundation
import GRDB

extension SQLiteStore: IdempotencyStore {
    public func beginIdempotentRequest(
        tenantId: String, key: String, requestHash: String, now: Date, lockedUntil: Date, expiresAt: Date
    ) async throws -> IdempotencyBegin {
        let nowMillis = Timestamp.millis(now)
        return try await write("beginIdempotentRequest") { db in
            if let row = try Row.fetchOne(
                db, cached: "SELECT * FROM idempotency_keys WHERE tenant_id = ? AND key = ?", arguments: [tenantId, key]),
                (row["expires_at"] as Int64) > nowMillis
            {
                let state: String = row["state"]
                let abandoned = state == "IN_FLIGHT" && (row["locked_until"] as Int64? ?? 0) <= nowMillis
                if !abandoned {
                    guard (row["request_hash"] as String) == requestHash else { return .mismatch }
                    guard state == "DONE" else { return .inFlight }
                    let headers = try StoredResponse.headers(columnText: row["response_headers"])
                    let body: Data = row["response_body"]
                    return .replay(StoredResponse(status: row["response_status"], headers: headers, body: [UInt8](body)))
                }
            }
            try db.execute(
                cached: """
                    INSERT OR REPLACE INTO idempotency_keys (tenant_id, key, request_hash, state, locked_until, created_at, expires_at)
                    VALUES (?, ?, ?, 'IN_FLIGHT', ?, ?, ?)
                    """,
                arguments: [tenantId, key, requestHash, Timestamp.millis(lockedUntil), nowMillis, Timestamp.millis(expiresAt)])
            return .started
        }
    }

    public func completeIdempotentRequest(tenantId: String, key: String, response: StoredResponse) async throws {
        let headers = response.headersColumnText
        try await write("completeIdempotentRequest") { db in
            try db.execute(
                cached: """
                    UPDATE idempotency_keys SET state = 'DONE', locked_until = NULL, response_status = ?, response_headers = ?,
                        response_body = ?, case_id = ?
                    WHERE tenant_id = ? AND key = ? AND state = 'IN_FLIGHT'
                    """,
                arguments: [response.status, headers, Data(response.body), response.caseId, tenantId, key])
        }
    }

    public func abandonIdempotentRequest(tenantId: String, key: String) async throws {
        try await write("abandonIdempotentRequest") { db in
            try db.execute(
                cached: "DELETE FROM idempotency_keys WHERE tenant_id = ? AND key = ? AND state = 'IN_FLIGHT'", arguments: [tenantId, key])
        }
    }
}
