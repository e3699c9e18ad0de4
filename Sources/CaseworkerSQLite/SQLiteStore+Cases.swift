import CaseworkerCore
import CaseworkerStore
import Foundation
import GRDB

extension SQLiteStore: CaseStore {
    public func createCase(tenantId: String, fields: CaseFields) async throws -> Case {
        let id = newId()
        let now = nowMillis
        do {
            return try await write("createCase") { db in
                try db.execute(
                    cached: """
                        INSERT INTO cases (id, tenant_id, external_id, first_name, last_name, personal_number,
                            email, company_name, company_number, company_address, data, created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: StatementArguments([id, tenantId] + fields.columnValues + [now, now]))
                let created = Timestamp.date(millis: now)
                return Case(id: id, fields: fields, createdAt: created, updatedAt: created, erasedAt: nil)
            }
        } catch let error as DatabaseError where error.isUniqueViolation(on: "external_id") {
            throw StoreError.duplicate(field: "externalId")
        }
    }

    public func findCase(tenantId: String, id: String) async throws -> Case? {
        try await readStatement { db in try Self.fetchCase(db, tenantId: tenantId, id: id) }
    }

    public func listCases(tenantId: String, externalId: String?, page: PageRequest) async throws -> Page<Case> {
        try await pool.read { db in
            let rows = try Row.fetchAll(
                db,
                cached: """
                    SELECT * FROM cases
                    WHERE tenant_id = ?1 AND (?2 IS NULL OR external_id = ?2) AND (?3 IS NULL OR id < ?3)
                    ORDER BY id DESC LIMIT ?4
                    """,
                arguments: [tenantId, externalId, page.beforeId, page.limit + 1])
            return Page(items: try rows.prefix(page.limit).map(Case.init(row:)), hasMore: rows.count > page.limit)
        }
    }

    public func updateCase(
        tenantId: String, id: String, change: @escaping @Sendable (Case) throws -> CaseFields
    ) async throws -> Case? {
        let now = nowMillis
        do {
            return try await write("updateCase") { db -> Case? in
                guard var current = try Self.fetchCase(db, tenantId: tenantId, id: id) else { return nil }
                guard !current.isErased else { throw StoreError.conflict("the case is erased") }
                current.fields = try change(current)
                current.updatedAt = Timestamp.date(millis: now)
                try db.execute(
                    cached: """
                        UPDATE cases SET external_id = ?, first_name = ?, last_name = ?, personal_number = ?,
                            email = ?, company_name = ?, company_number = ?, company_address = ?, data = ?,
                            updated_at = ?
                        WHERE tenant_id = ? AND id = ?
                        """,
                    arguments: StatementArguments(current.fields.columnValues + [now, tenantId, id]))
                return current
            }
        } catch let error as DatabaseError where error.isUniqueViolation(on: "external_id") {
            throw StoreError.duplicate(field: "externalId")
        }
    }

    /// Erases the case (SPEC 2.2) and everything stored about it in one transaction, then
    /// checkpoints the WAL (best effort: readers may hold it), so that the erased values remain
    /// neither in the file's free space (`secure_delete`) nor in old WAL frames.
    public func eraseCase(tenantId: String, id: String) async throws -> Case? {
        let erased = try await erase(tenantId: tenantId, id: id)
        if erased != nil { try? await pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) } }
        return erased
    }

    private func erase(tenantId: String, id: String) async throws -> Case? {
        let now = nowMillis
        return try await write("eraseCase") { db in
            guard try Self.fetchCase(db, tenantId: tenantId, id: id) != nil else { return nil }
            let active = try Bool.fetchOne(
                db,
                cached: "SELECT EXISTS (SELECT 1 FROM runs WHERE tenant_id = ? AND case_id = ? AND status IN ('PENDING', 'RUNNING', 'WAITING'))",
                arguments: [tenantId, id]) ?? false
            guard !active else { throw StoreError.conflict("the case has active runs; cancel them before erasing it") }
            // Redact what its finished runs stored: inputs, parameters, state, outputs, results,
            // error messages and rate-limit keys. The codes the daemon assigns stay, for
            // statistics; a code a workflow or a worker computed (`switch`, `fail`, `task`) may hold the case's data
            // and is redacted, in the runs' errors and webhook bodies too.
            try db.execute(
                cached: """
                    UPDATE runs SET error = json_set(error, '$.code', 'redacted')
                    WHERE tenant_id = ? AND case_id = ? AND error IS NOT NULL AND EXISTS (
                        SELECT 1 FROM run_tasks WHERE run_id = runs.id AND action IN ('switch', 'fail', 'task')
                            AND code = json_extract(runs.error, '$.code'))
                    """,
                arguments: [tenantId, id])
            try db.execute(
                cached: """
                    UPDATE run_tasks SET parameters = 'null', output = 'null', error = NULL,
                        code = CASE WHEN action IN ('switch', 'fail', 'task') AND code IS NOT NULL THEN 'redacted' ELSE code END
                    WHERE run_id IN (SELECT id FROM runs WHERE tenant_id = ? AND case_id = ?)
                    """,
                arguments: [tenantId, id])
            try db.execute(
                cached: "UPDATE run_signals SET payload = 'null' WHERE run_id IN (SELECT id FROM runs WHERE tenant_id = ? AND case_id = ?)",
                arguments: [tenantId, id])
            // What workers were given and answered.
            try db.execute(
                cached: """
                    UPDATE worker_tasks SET input = 'null', result = CASE WHEN result IS NULL THEN NULL ELSE 'null' END
                    WHERE tenant_id = ? AND case_id = ?
                    """,
                arguments: [tenantId, id])
            try db.execute(
                cached: """
                    UPDATE runs SET input = 'null', params = '{}', state = '{}', step_results = '{}',
                        rate_key = CASE WHEN rate_key IS NULL THEN NULL ELSE 'redacted' END,
                        result = CASE WHEN result IS NULL THEN NULL ELSE 'null' END,
                        error = CASE WHEN error IS NULL THEN NULL
                            ELSE json_object('code', json_extract(error, '$.code'), 'message', 'redacted (case erased)',
                                             'stepId', json_extract(error, '$.stepId')) END
                    WHERE tenant_id = ? AND case_id = ?
                    """,
                arguments: [tenantId, id])
            // Stored webhook bodies (kept for redelivery) lose the result and error message too,
            // and the receivers' answers to them (which may echo the body) are dropped.
            try db.execute(
                cached: """
                    UPDATE webhook_events SET body = json_set(body, '$.data.result', json('null'),
                        '$.data.error', CASE WHEN json_extract(body, '$.data.error') IS NULL THEN json('null')
                            ELSE json_object('code', (SELECT json_extract(error, '$.code') FROM runs WHERE runs.id = webhook_events.run_id),
                                             'message', 'redacted (case erased)',
                                             'stepId', json_extract(body, '$.data.error.stepId')) END)
                    WHERE tenant_id = ? AND run_id IN (SELECT id FROM runs WHERE tenant_id = ? AND case_id = ?)
                    """,
                arguments: [tenantId, tenantId, id])
            try db.execute(
                cached: """
                    UPDATE webhook_delivery_attempts SET response_body = NULL
                    WHERE response_body IS NOT NULL AND delivery_id IN (
                        SELECT d.id FROM webhook_deliveries d JOIN webhook_events e ON e.tenant_id = d.tenant_id AND e.id = d.event_id
                        WHERE e.tenant_id = ? AND e.run_id IN (SELECT id FROM runs WHERE tenant_id = ? AND case_id = ?))
                    """,
                arguments: [tenantId, tenantId, id])
            // Stored idempotent responses about the case (its creation's holds every field).
            try db.execute(
                cached: "DELETE FROM idempotency_keys WHERE tenant_id = ? AND case_id = ?", arguments: [tenantId, id])
            try db.execute(
                cached: """
                    UPDATE cases SET external_id = NULL, first_name = NULL, last_name = NULL,
                        personal_number = NULL, email = NULL, company_name = NULL, company_number = NULL,
                        company_address = NULL, data = NULL, updated_at = ?1, erased_at = ?1
                    WHERE tenant_id = ?2 AND id = ?3 AND erased_at IS NULL
                    """,
                arguments: [now, tenantId, id])
            return try Self.fetchCase(db, tenantId: tenantId, id: id)
        }
    }

    static func fetchCase(_ db: Database, tenantId: String, id: String) throws -> Case? {
        try Row.fetchOne(db, cached: "SELECT * FROM cases WHERE tenant_id = ? AND id = ?", arguments: [tenantId, id], as: Case.init(row:))
    }
}

extension CaseFields {
    /// external_id ... data, in column order.
    fileprivate var columnValues: [(any DatabaseValueConvertible)?] {
        [
            externalId, firstName, lastName, personalNumber, email, companyName, companyNumber, companyAddress,
            dataColumnText,
        ]
    }
}

extension Case {
    fileprivate init(row: Row) throws {
        self.init(
            id: row["id"],
            fields: CaseFields(
                externalId: row["external_id"], firstName: row["first_name"], lastName: row["last_name"],
                personalNumber: row["personal_number"], email: row["email"], companyName: row["company_name"],
                companyNumber: row["company_number"], companyAddress: row["company_address"],
                data: try CaseFields.data(columnText: row["data"])),
            createdAt: Timestamp.date(millis: row["created_at"]),
            updatedAt: Timestamp.date(millis: row["updated_at"]),
            erasedAt: (row["erased_at"] as Int64?).map(Timestamp.date(millis:)))
    }
}
