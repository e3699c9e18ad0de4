/// The PostgreSQL schema as forward-only migrations, applied in order by `PostgresStore.migrate()`
/// and recorded in `caseworker_migrations`. A migration is never edited once released: a change
/// is a new one at the end.
///
/// It carries the SQLite schema's invariants (`CaseworkerSQLite/Migrations.swift`, v1 … v16), the
/// same columns with the same meaning: timestamps are milliseconds since 1970 (`BIGINT`), JSON is
/// text checked to parse, flags are `BOOLEAN`. Its partial indexes are the claims' and the lists'.
enum PostgresMigrations {
    struct Migration {
        var identifier: String
        var sql: String
    }

    static let all: [Migration] = [
        Migration(identifier: "pg1-schema", sql: schema),
    ]

    /// The key of the advisory lock that serialises migrations across instances starting at once.
    static let lockKey: Int64 = 0x6361_7365_776b_0001

    private static let schema = """
        CREATE TABLE tenants (
            id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
            created_at BIGINT NOT NULL
        );

        CREATE TABLE api_keys (
            id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL REFERENCES tenants(id),
            name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 128),
            scopes TEXT NOT NULL CHECK (length(scopes) > 0),
            secret_hash TEXT NOT NULL UNIQUE CHECK (length(secret_hash) = 64),
            secret_prefix TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            revoked_at BIGINT
        );
        CREATE INDEX api_keys_tenant ON api_keys(tenant_id);

        CREATE TABLE cases (
            id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL REFERENCES tenants(id),
            external_id TEXT CHECK (external_id IS NULL OR length(external_id) BETWEEN 1 AND 256),
            first_name TEXT,
            last_name TEXT,
            personal_number TEXT,
            email TEXT,
            company_name TEXT,
            company_number TEXT,
            company_address TEXT,
            data TEXT CHECK (data IS NULL OR data::jsonb IS NOT NULL),
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            erased_at BIGINT,
            -- An erased case holds nothing personal.
            CHECK (erased_at IS NULL OR (
                external_id IS NULL AND first_name IS NULL AND last_name IS NULL
                AND personal_number IS NULL AND email IS NULL AND company_name IS NULL
                AND company_number IS NULL AND company_address IS NULL AND data IS NULL))
        );
        CREATE INDEX cases_tenant ON cases(tenant_id, id);
        CREATE UNIQUE INDEX cases_tenant_external_id ON cases(tenant_id, external_id) WHERE external_id IS NOT NULL;

        CREATE TABLE parameter_sets (
            id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL REFERENCES tenants(id),
            workflow_definition_id TEXT NOT NULL CHECK (length(workflow_definition_id) BETWEEN 1 AND 128),
            version INTEGER CHECK (version IS NULL OR version >= 1),
            "values" TEXT NOT NULL CHECK (jsonb_typeof("values"::jsonb) = 'object'),
            created_at BIGINT NOT NULL
        );
        CREATE INDEX parameter_sets_tenant ON parameter_sets(tenant_id, id);

        CREATE TABLE workflow_definitions (
            tenant_id TEXT NOT NULL REFERENCES tenants(id),
            id TEXT NOT NULL CHECK (length(id) BETWEEN 1 AND 128),
            disabled BOOLEAN NOT NULL DEFAULT FALSE,
            created_at BIGINT NOT NULL,
            PRIMARY KEY (tenant_id, id)
        );

        CREATE TABLE workflow_definition_versions (
            version_id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            definition_id TEXT NOT NULL,
            -- -1 is the draft; published versions count from 1.
            version INTEGER NOT NULL CHECK (version = -1 OR version >= 1),
            content TEXT NOT NULL CHECK (jsonb_typeof(content::jsonb) = 'object'),
            hash TEXT NOT NULL CHECK (length(hash) = 16),
            channel TEXT CHECK (channel IS NULL OR length(channel) BETWEEN 1 AND 64),
            created_at BIGINT NOT NULL,
            created_by TEXT NOT NULL,
            updated_at BIGINT NOT NULL,
            updated_by TEXT NOT NULL,
            UNIQUE (tenant_id, definition_id, version),
            FOREIGN KEY (tenant_id, definition_id) REFERENCES workflow_definitions(tenant_id, id)
        );
        -- Published versions are immutable: neither updated nor deleted, whoever writes.
        CREATE FUNCTION caseworker_published_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'published workflow definition versions are immutable' USING ERRCODE = 'restrict_violation';
        END $$;
        CREATE TRIGGER workflow_definition_versions_immutable
            BEFORE UPDATE OR DELETE ON workflow_definition_versions
            FOR EACH ROW WHEN (OLD.version >= 1) EXECUTE FUNCTION caseworker_published_versions_immutable();

        CREATE TABLE webhook_endpoints (
            id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL REFERENCES tenants(id),
            url TEXT NOT NULL CHECK (length(url) BETWEEN 8 AND 2048 AND (url LIKE 'http://%' OR url LIKE 'https://%')),
            description TEXT CHECK (description IS NULL OR length(description) <= 1024),
            events TEXT NOT NULL CHECK (jsonb_typeof(events::jsonb) = 'array' AND jsonb_array_length(events::jsonb) >= 1),
            workflow_definition_ids TEXT CHECK (workflow_definition_ids IS NULL OR (
                jsonb_typeof(workflow_definition_ids::jsonb) = 'array' AND jsonb_array_length(workflow_definition_ids::jsonb) >= 1)),
            enabled BOOLEAN NOT NULL DEFAULT TRUE,
            secret TEXT NOT NULL CHECK (secret LIKE 'whsec_%'),
            previous_secret TEXT CHECK (previous_secret IS NULL OR previous_secret LIKE 'whsec_%'),
            previous_secret_expires_at BIGINT,
            disabled_reason TEXT,
            failing_since BIGINT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            UNIQUE (tenant_id, id),
            -- A rotation grace has both the old secret and its end, or neither.
            CHECK ((previous_secret IS NULL) = (previous_secret_expires_at IS NULL)),
            -- Only a disabled endpoint says why it is disabled.
            CHECK (NOT enabled OR disabled_reason IS NULL)
        );

        CREATE TABLE webhook_events (
            id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 128),
            tenant_id TEXT NOT NULL REFERENCES tenants(id),
            type TEXT NOT NULL CHECK (type IN ('workflow.completed', 'workflow.failed', 'workflow.timed_out',
                    'workflow.cancelled', 'workflow.waiting', 'workflow.timeout_alert')
                OR (length(type) BETWEEN 1 AND 128 AND type ~ '^[a-z][-a-z0-9_.]*$' AND type NOT LIKE 'workflow.%')),
            body TEXT NOT NULL CHECK (octet_length(body) <= 262144 AND body::jsonb IS NOT NULL),
            run_id TEXT,
            created_at BIGINT NOT NULL,
            UNIQUE (tenant_id, id)
        );
        CREATE INDEX webhook_events_tenant_created ON webhook_events(tenant_id, created_at);
        CREATE INDEX webhook_events_run ON webhook_events(run_id) WHERE run_id IS NOT NULL;

        CREATE TABLE webhook_deliveries (
            id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            event_id TEXT NOT NULL,
            endpoint_id TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('PENDING', 'DELIVERING', 'SUCCEEDED', 'FAILED')),
            attempt_count INTEGER NOT NULL DEFAULT 0 CHECK (attempt_count >= 0),
            next_attempt_at BIGINT,
            lease_owner TEXT,
            lease_expires_at BIGINT,
            last_error TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            -- The event and the endpoint belong to the delivery's tenant.
            FOREIGN KEY (tenant_id, event_id) REFERENCES webhook_events(tenant_id, id) ON DELETE CASCADE,
            FOREIGN KEY (tenant_id, endpoint_id) REFERENCES webhook_endpoints(tenant_id, id) ON DELETE CASCADE,
            -- A pending delivery is due at some time; no other status has one.
            CHECK ((status = 'PENDING') = (next_attempt_at IS NOT NULL)),
            -- A delivering one is leased; no other status holds a lease.
            CHECK ((status = 'DELIVERING') = (lease_owner IS NOT NULL)),
            CHECK ((lease_owner IS NULL) = (lease_expires_at IS NULL))
        );
        CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) WHERE status = 'PENDING';
        CREATE INDEX webhook_deliveries_endpoint_due ON webhook_deliveries(endpoint_id, next_attempt_at, id) WHERE status = 'PENDING';
        CREATE INDEX webhook_deliveries_leased ON webhook_deliveries(lease_expires_at) WHERE status = 'DELIVERING';
        CREATE INDEX webhook_deliveries_tenant ON webhook_deliveries(tenant_id, id);
        CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(tenant_id, endpoint_id, id);
        CREATE INDEX webhook_deliveries_event ON webhook_deliveries(tenant_id, event_id);
        CREATE INDEX webhook_deliveries_failed ON webhook_deliveries(tenant_id, id) WHERE status = 'FAILED';
        CREATE INDEX webhook_deliveries_failed_endpoint ON webhook_deliveries(tenant_id, endpoint_id, id) WHERE status = 'FAILED';
        CREATE INDEX webhook_deliveries_failed_all ON webhook_deliveries(id) WHERE status = 'FAILED';
        CREATE UNIQUE INDEX webhook_deliveries_one_active ON webhook_deliveries(event_id, endpoint_id)
            WHERE status IN ('PENDING', 'DELIVERING');

        CREATE TABLE webhook_delivery_attempts (
            delivery_id TEXT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
            attempt INTEGER NOT NULL CHECK (attempt >= 1),
            at BIGINT NOT NULL,
            response_status INTEGER CHECK (response_status IS NULL OR response_status BETWEEN 100 AND 999),
            duration_ms BIGINT NOT NULL CHECK (duration_ms >= 0),
            response_body TEXT CHECK (response_body IS NULL OR octet_length(response_body) <= 4096),
            error TEXT,
            -- An attempt got a response or failed before one.
            CHECK (response_status IS NOT NULL OR error IS NOT NULL),
            PRIMARY KEY (delivery_id, attempt)
        );

        CREATE TABLE runs (
            id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL REFERENCES tenants(id),
            case_id TEXT NOT NULL REFERENCES cases(id),
            workflow_definition_id TEXT NOT NULL,
            version INTEGER NOT NULL CHECK (version >= 1),
            version_id TEXT NOT NULL REFERENCES workflow_definition_versions(version_id),
            parameters_id TEXT REFERENCES parameter_sets(id),
            status TEXT NOT NULL CHECK (status IN
                ('PENDING', 'RUNNING', 'WAITING', 'COMPLETED', 'FAILED', 'TIMED_OUT', 'CANCELLED')),
            current_step_id TEXT,
            flow_mode TEXT NOT NULL DEFAULT 'main' CHECK (flow_mode IN ('main', 'rescue:FAILED', 'rescue:TIMED_OUT')),
            attempt INTEGER NOT NULL DEFAULT 1 CHECK (attempt >= 1),
            steps_executed INTEGER NOT NULL DEFAULT 0 CHECK (steps_executed >= 0),
            input TEXT NOT NULL CHECK (input::jsonb IS NOT NULL),
            params TEXT NOT NULL CHECK (params::jsonb IS NOT NULL),
            state TEXT NOT NULL CHECK (state::jsonb IS NOT NULL),
            step_results TEXT NOT NULL CHECK (step_results::jsonb IS NOT NULL),
            correlation_id TEXT CHECK (correlation_id IS NULL OR length(correlation_id) <= 256),
            channel TEXT CHECK (channel IS NULL OR length(channel) <= 64),
            result TEXT CHECK (result IS NULL OR result::jsonb IS NOT NULL),
            error TEXT CHECK (error IS NULL OR error::jsonb IS NOT NULL),
            due_at BIGINT,
            claimed_by TEXT,
            claim_expires_at BIGINT,
            executor_failures INTEGER NOT NULL DEFAULT 0 CHECK (executor_failures >= 0),
            created_at BIGINT NOT NULL,
            started_at BIGINT,
            finished_at BIGINT,
            updated_at BIGINT NOT NULL,
            waiting_since BIGINT,
            wait_signal TEXT,
            wait_until BIGINT,
            wait_payload TEXT,
            parent_run_id TEXT REFERENCES runs(id) ON DELETE SET NULL,
            depth INTEGER NOT NULL DEFAULT 0,
            failure_of_run_id TEXT REFERENCES runs(id) ON DELETE SET NULL,
            wait_child_run_id TEXT REFERENCES runs(id),
            rate_key TEXT,
            rate_limit INTEGER,
            timeout_ms BIGINT CHECK (timeout_ms IS NULL OR timeout_ms > 0),
            timeout_policy TEXT,
            deadline_at BIGINT CHECK (deadline_at IS NULL OR timeout_ms IS NOT NULL),
            timeout_alerted_at BIGINT,
            branch_step_id TEXT,
            branch_id TEXT CHECK ((branch_id IS NULL) = (branch_step_id IS NULL)),
            branch_group TEXT CHECK ((branch_group IS NULL) = (branch_id IS NULL)),
            branch_join TEXT CHECK ((branch_join IS NULL) = (branch_group IS NULL)
                AND (branch_join IS NULL OR branch_join IN ('all', 'all_no_fail_fast', 'any'))),
            CHECK ((status <> 'WAITING' OR waiting_since IS NOT NULL) AND (finished_at IS NULL OR waiting_since IS NULL)),
            CHECK (wait_signal IS NULL OR (waiting_since IS NOT NULL AND length(wait_signal) BETWEEN 1 AND 64)),
            CHECK ((wait_until IS NULL OR waiting_since IS NOT NULL)
                AND (waiting_since IS NULL OR wait_signal IS NOT NULL OR wait_until IS NOT NULL)),
            CHECK (wait_payload IS NULL OR (wait_signal IS NOT NULL AND wait_payload::jsonb IS NOT NULL)),
            CHECK (depth >= 0 AND (parent_run_id IS NULL OR depth >= 1)),
            CHECK (wait_child_run_id IS NULL OR (waiting_since IS NOT NULL AND wait_signal = '@child')),
            CHECK ((rate_key IS NULL) = (rate_limit IS NULL) AND (rate_limit IS NULL OR rate_limit >= 1)),
            CHECK ((timeout_policy IS NULL) = (timeout_ms IS NULL)
                AND (timeout_policy IS NULL OR timeout_policy IN ('TIME_OUT_WF', 'ALERT_ONLY'))),
            CHECK ((claim_expires_at IS NULL) = (claimed_by IS NULL)),
            -- A run is finished exactly when its status is terminal; then nothing is due
            -- or claimed and there is no current step.
            CHECK ((status IN ('COMPLETED', 'FAILED', 'TIMED_OUT', 'CANCELLED')) = (finished_at IS NOT NULL)),
            CHECK (finished_at IS NULL OR (due_at IS NULL AND claimed_by IS NULL AND current_step_id IS NULL)),
            CHECK (status = 'PENDING' OR started_at IS NOT NULL)
        );
        CREATE INDEX runs_tenant ON runs(tenant_id, id);
        CREATE INDEX runs_case ON runs(tenant_id, case_id, id);
        CREATE INDEX runs_tenant_status ON runs(tenant_id, status, id);
        CREATE INDEX runs_correlation ON runs(tenant_id, correlation_id, id) WHERE correlation_id IS NOT NULL;
        CREATE INDEX runs_parent ON runs(parent_run_id) WHERE parent_run_id IS NOT NULL;
        CREATE INDEX runs_failure_of ON runs(failure_of_run_id) WHERE failure_of_run_id IS NOT NULL;
        CREATE INDEX runs_wait_child ON runs(wait_child_run_id) WHERE wait_child_run_id IS NOT NULL;
        CREATE INDEX runs_branch_group ON runs(parent_run_id, branch_group, id) WHERE branch_group IS NOT NULL;
        CREATE INDEX runs_rate ON runs(tenant_id, workflow_definition_id, rate_key, status, id)
            WHERE rate_key IS NOT NULL AND finished_at IS NULL;
        CREATE INDEX runs_deadline ON runs(deadline_at) WHERE deadline_at IS NOT NULL AND finished_at IS NULL;
        -- The claim: due runs no engine holds, and the leases to take over.
        CREATE INDEX runs_due_unqueued ON runs(due_at, id)
            WHERE due_at IS NOT NULL AND claimed_by IS NULL AND (rate_key IS NULL OR status <> 'PENDING');
        CREATE INDEX runs_claim_expiry ON runs(claim_expires_at) WHERE claimed_by IS NOT NULL;

        CREATE TABLE run_tasks (
            id TEXT PRIMARY KEY,
            run_id TEXT NOT NULL REFERENCES runs(id),
            step_id TEXT NOT NULL,
            name TEXT,
            action TEXT NOT NULL,
            attempt INTEGER NOT NULL CHECK (attempt >= 1),
            status TEXT NOT NULL CHECK (status IN ('OK', 'KO', 'SKIP', 'TIMEOUT')),
            code TEXT,
            parameters TEXT NOT NULL CHECK (parameters::jsonb IS NOT NULL),
            output TEXT NOT NULL CHECK (output::jsonb IS NOT NULL),
            error TEXT,
            parent_task_id TEXT REFERENCES run_tasks(id),
            child_run_id TEXT REFERENCES runs(id) ON DELETE SET NULL,
            started_at BIGINT NOT NULL,
            finished_at BIGINT NOT NULL
        );
        CREATE INDEX run_tasks_run ON run_tasks(run_id, id);
        CREATE INDEX run_tasks_child ON run_tasks(child_run_id) WHERE child_run_id IS NOT NULL;
        CREATE INDEX run_tasks_parent ON run_tasks(parent_task_id) WHERE parent_task_id IS NOT NULL;

        CREATE TABLE run_signals (
            id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL REFERENCES tenants(id),
            run_id TEXT NOT NULL REFERENCES runs(id),
            name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
            payload TEXT NOT NULL CHECK (payload::jsonb IS NOT NULL),
            created_at BIGINT NOT NULL,
            consumed_at BIGINT,
            -- The await step that consumed it.
            consumed_by_step TEXT,
            CHECK ((consumed_at IS NULL) = (consumed_by_step IS NULL))
        );
        CREATE INDEX run_signals_run ON run_signals(run_id, id);
        CREATE INDEX run_signals_unconsumed ON run_signals(run_id, name, id) WHERE consumed_at IS NULL;

        CREATE TABLE idempotency_keys (
            tenant_id TEXT NOT NULL REFERENCES tenants(id),
            key TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
            request_hash TEXT NOT NULL CHECK (length(request_hash) = 64),
            state TEXT NOT NULL CHECK (state IN ('IN_FLIGHT', 'DONE')),
            locked_until BIGINT,
            response_status INTEGER,
            response_headers TEXT CHECK (response_headers IS NULL OR response_headers::jsonb IS NOT NULL),
            response_body BYTEA,
            case_id TEXT,
            created_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            PRIMARY KEY (tenant_id, key),
            -- A completed record has its response; one in flight has a lock and no response.
            CHECK ((state = 'DONE') = (response_status IS NOT NULL AND response_headers IS NOT NULL
                AND response_body IS NOT NULL AND locked_until IS NULL))
        );
        CREATE INDEX idempotency_keys_expiry ON idempotency_keys(expires_at);
        CREATE INDEX idempotency_keys_case ON idempotency_keys(tenant_id, case_id) WHERE case_id IS NOT NULL;

        CREATE TABLE worker_tasks (
            id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL REFERENCES tenants(id),
            run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            case_id TEXT NOT NULL,
            step_id TEXT NOT NULL,
            step_attempt INTEGER NOT NULL CHECK (step_attempt >= 1),
            queue TEXT NOT NULL CHECK (length(queue) BETWEEN 1 AND 48),
            input TEXT NOT NULL CHECK (input::jsonb IS NOT NULL),
            lease_ms BIGINT NOT NULL CHECK (lease_ms > 0),
            deadline_at BIGINT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('QUEUED', 'LEASED', 'COMPLETED', 'FAILED', 'CANCELLED')),
            attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
            lease_id TEXT,
            worker TEXT,
            lease_expires_at BIGINT,
            result TEXT CHECK (result IS NULL OR result::jsonb IS NOT NULL),
            created_at BIGINT NOT NULL,
            finished_at BIGINT,
            CHECK ((status = 'LEASED') = (lease_expires_at IS NOT NULL)),
            CHECK ((status IN ('COMPLETED', 'FAILED', 'CANCELLED')) = (finished_at IS NOT NULL)),
            CHECK (status NOT IN ('LEASED', 'COMPLETED', 'FAILED') OR (lease_id IS NOT NULL AND worker IS NOT NULL))
        );
        CREATE INDEX worker_tasks_open ON worker_tasks(tenant_id, queue, id) WHERE status IN ('QUEUED', 'LEASED');
        CREATE INDEX worker_tasks_run ON worker_tasks(run_id);
        CREATE INDEX worker_tasks_case ON worker_tasks(tenant_id, case_id);

        CREATE TABLE worker_task_leases (
            id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL REFERENCES tenants(id),
            task_id TEXT NOT NULL REFERENCES worker_tasks(id) ON DELETE CASCADE,
            attempt INTEGER NOT NULL CHECK (attempt >= 1),
            worker TEXT NOT NULL,
            created_at BIGINT NOT NULL
        );
        CREATE INDEX worker_task_leases_task ON worker_task_leases(task_id);

        -- Work one instance of the cluster does at a time (retention, timeouts): who holds it, until when.
        CREATE TABLE maintenance_leases (
            name TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            expires_at BIGINT NOT NULL
        );
        """
}
