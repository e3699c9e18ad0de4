import CaseworkerCore
import CaseworkerStore
import PostgresNIO

extension PostgresStore: CaseStore {
    public func createCase(tenantId: String, fields: CaseFields) async throws -> Case {
        let id = newId()
        let now = nowMillis
        do {
            return try await write("createCase") { tx in
                try await tx.execute(
                    """
                    INSERT INTO cases (id, tenant_id, external_id, first_name, last_name, personal_number,
                        email, company_name, company_number, company_address, data, created_at, updated_at)
                    VALUES (\(id), \(tenantId), \(fields.externalId), \(fields.firstName), \(fields.lastName),
                        \(fields.personalNumber), \(fields.email), \(fields.companyName), \(fields.companyNumber),
                        \(fields.companyAddress), \(fields.dataColumnText), \(now), \(now))
                    """)
                let created = Timestamp.date(millis: now)
                return Case(id: id, fields: fields, createdAt: created, updatedAt: created, erasedAt: nil)
            }
        } catch let error as PSQLError where error.isUniqueViolation(of: "cases_tenant_external_id") {
            throw StoreError.duplicate(field: "externalId")
        }
    }

    public func findCase(tenantId: String, id: String) async throws -> Case? {
        try await read { tx in try await Self.fetchCase(tx, tenantId: tenantId, id: id) }
    }

    public func listCases(tenantId: String, externalId: String?, page: PageRequest) async throws -> Page<Case> {
        let rows = try await rows(
            """
            SELECT * FROM cases
            WHERE tenant_id = \(tenantId) AND (\(externalId)::text IS NULL OR external_id = \(externalId))
                AND (\(page.beforeId)::text IS NULL OR id < \(page.beforeId))
            ORDER BY id DESC LIMIT \(page.limit + 1)
            """)
        return Page(items: try rows.prefix(page.limit).map(Case.init(row:)), hasMore: rows.count > page.limit)
    }

    /// Reads the case `FOR UPDATE`, so that concurrent updates of one case apply one after the
    /// other, each to the fields the previous one wrote.
    public func updateCase(
        tenantId: String, id: String, change: @escaping @Sendable (Case) throws -> CaseFields
    ) async throws -> Case? {
        let now = nowMillis
        do {
            return try await write("updateCase") { tx -> Case? in
                guard var current = try await Self.fetchCase(tx, tenantId: tenantId, id: id, locking: true) else { return nil }
                guard !current.isErased else { throw StoreError.conflict("the case is erased") }
                current.fields = try change(current)
                current.updatedAt = Timestamp.date(millis: now)
                let fields = current.fields
                try await tx.execute(
                    """
                    UPDATE cases SET external_id = \(fields.externalId), first_name = \(fields.firstName),
                        last_name = \(fields.lastName), personal_number = \(fields.personalNumber), email = \(fields.email),
                        company_name = \(fields.companyName), company_number = \(fields.companyNumber),
                        company_address = \(fields.companyAddress), data = \(fields.dataColumnText), updated_at = \(now)
                    WHERE tenant_id = \(tenantId) AND id = \(id)
                    """)
                return current
            }
        } catch let error as PSQLError where error.isUniqueViolation(of: "cases_tenant_external_id") {
            throw StoreError.duplicate(field: "externalId")
        }
    }

    /// Erases the case (SPEC 2.2) and everything stored about it in one transaction.
    ///
    /// Concurrency: the transaction locks the case row `FOR UPDATE`, which holds off every run
    /// inserted for it meanwhile (the insert's foreign-key check takes a key-share lock on the
    /// case), and then every run of the case `FOR UPDATE`, so that none becomes active (a retry,
    /// on any instance) between the check that none is and the redaction of them all.
    ///
    /// PostgreSQL keeps the overwritten row versions until vacuum reclaims their space, and its
    /// WAL until it is recycled (as SQLite keeps free pages unless `secure_delete`): the erased
    /// values leave the database's files only then.
    public func eraseCase(tenantId: String, id: String) async throws -> Case? {
        let now = nowMillis
        return try await write("eraseCase") { tx in
            guard try await Self.fetchCase(tx, tenantId: tenantId, id: id, locking: true) != nil else { return nil }
            let statuses = try await tx.rows("SELECT status FROM runs WHERE tenant_id = \(tenantId) AND case_id = \(id) FOR UPDATE")
            let active: Set<String> = ["PENDING", "RUNNING", "WAITING"]
            guard try statuses.allSatisfy({ !active.contains(try $0["status"].decode(String.self)) }) else {
                throw StoreError.conflict("the case has active runs; cancel them before erasing it")
            }
            try await Self.redactRuns(tx, tenantId: tenantId, caseId: id)
            // Stored idempotent responses about the case (its creation's holds every field).
            try await tx.execute("DELETE FROM idempotency_keys WHERE tenant_id = \(tenantId) AND case_id = \(id)")
            try await tx.execute(
                """
                UPDATE cases SET external_id = NULL, first_name = NULL, last_name = NULL,
                    personal_number = NULL, email = NULL, company_name = NULL, company_number = NULL,
                    company_address = NULL, data = NULL, updated_at = \(now), erased_at = \(now)
                WHERE tenant_id = \(tenantId) AND id = \(id) AND erased_at IS NULL
                """)
            return try await Self.fetchCase(tx, tenantId: tenantId, id: id)
        }
    }

    // MARK: - Inside transactions

    /// Redacts what the case's finished runs stored: inputs, parameters, state, outputs, results,
    /// error messages, signal payloads, rate-limit keys, what workers were given and answered,
    /// and the stored webhook bodies with the receivers' answers to them.
    ///
    /// The codes the daemon assigns stay, for statistics; a code a workflow or a worker computed
    /// (`switch`, `fail`, `task`) may hold the case's data and is redacted, in the runs' errors and
    /// webhook bodies too.
    private static func redactRuns(_ tx: PostgresTransaction, tenantId: String, caseId: String) async throws {
        try await tx.execute(
            """
            UPDATE runs SET error = jsonb_set(error::jsonb, '{code}', '"redacted"')::text
            WHERE tenant_id = \(tenantId) AND case_id = \(caseId) AND error IS NOT NULL AND EXISTS (
                SELECT 1 FROM run_tasks WHERE run_id = runs.id AND action IN ('switch', 'fail', 'task')
                    AND code = runs.error::jsonb->>'code')
            """)
        try await tx.execute(
            """
            UPDATE run_tasks SET parameters = 'null', output = 'null', error = NULL,
                code = CASE WHEN action IN ('switch', 'fail', 'task') AND code IS NOT NULL THEN 'redacted' ELSE code END
            WHERE run_id IN (SELECT id FROM runs WHERE tenant_id = \(tenantId) AND case_id = \(caseId))
            """)
        try await tx.execute(
            """
            UPDATE run_signals SET payload = 'null'
            WHERE run_id IN (SELECT id FROM runs WHERE tenant_id = \(tenantId) AND case_id = \(caseId))
            """)
        try await tx.execute(
            """
            UPDATE worker_tasks SET input = 'null', result = CASE WHEN result IS NULL THEN NULL ELSE 'null' END
            WHERE tenant_id = \(tenantId) AND case_id = \(caseId)
            """)
        try await tx.execute(
            """
            UPDATE runs SET input = 'null', params = '{}', state = '{}', step_results = '{}',
                rate_key = CASE WHEN rate_key IS NULL THEN NULL ELSE 'redacted' END,
                result = CASE WHEN result IS NULL THEN NULL ELSE 'null' END,
                error = CASE WHEN error IS NULL THEN NULL
                    ELSE jsonb_build_object('code', error::jsonb->'code', 'message', 'redacted (case erased)',
                                            'stepId', error::jsonb->'stepId')::text END
            WHERE tenant_id = \(tenantId) AND case_id = \(caseId)
            """)
        // Stored webhook bodies (kept for redelivery) lose the result and error message too, and
        // the receivers' answers to them (which may echo the body) are dropped.
        try await tx.execute(
            """
            UPDATE webhook_events SET body = jsonb_set(jsonb_set(body::jsonb, '{data,result}', 'null'), '{data,error}',
                CASE WHEN COALESCE(jsonb_typeof(body::jsonb #> '{data,error}'), 'null') = 'null' THEN 'null'::jsonb
                    ELSE jsonb_build_object(
                        'code', (SELECT error::jsonb->'code' FROM runs WHERE runs.id = webhook_events.run_id),
                        'message', 'redacted (case erased)', 'stepId', body::jsonb #> '{data,error,stepId}') END)::text
            WHERE tenant_id = \(tenantId) AND run_id IN (SELECT id FROM runs WHERE tenant_id = \(tenantId) AND case_id = \(caseId))
            """)
        try await tx.execute(
            """
            UPDATE webhook_delivery_attempts SET response_body = NULL
            WHERE response_body IS NOT NULL AND delivery_id IN (
                SELECT d.id FROM webhook_deliveries d JOIN webhook_events e ON e.tenant_id = d.tenant_id AND e.id = d.event_id
                WHERE e.tenant_id = \(tenantId) AND e.run_id IN (SELECT id FROM runs WHERE tenant_id = \(tenantId) AND case_id = \(caseId)))
            """)
    }

    /// The case, read `FOR UPDATE` with `locking` (for a transaction that then writes it).
    static func fetchCase(_ tx: PostgresTransaction, tenantId: String, id: String, locking: Bool = false) async throws -> Case? {
        let lock = locking ? " FOR UPDATE" : ""
        return try await tx.row("SELECT * FROM cases WHERE tenant_id = \(tenantId) AND id = \(id)\(unescaped: lock)").map(Case.init(row:))
    }
}
