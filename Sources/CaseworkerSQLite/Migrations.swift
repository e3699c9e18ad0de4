import GRDB

/// The database schema, as forward-only migrations.
///
/// A migration is never edited once it has landed on `main`: a change to the schema is a new
/// migration appended here. The schema carries the invariants (NOT NULL, CHECK, foreign keys,
/// unique indexes), so a bug above it cannot store an impossible row. Timestamps are integer
/// Unix milliseconds; JSON columns hold compact JSON text.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-tenants-keys-cases-parameters", migrate: v1)
        migrator.registerMigration("v2-workflow-definitions", migrate: v2)
        migrator.registerMigration("v3-webhooks", migrate: v3)
        migrator.registerMigration("v4-runs", migrate: v4)
        migrator.registerMigration("v5-waiting", migrate: v5)
        migrator.registerMigration("v6-idempotency-keys", migrate: v6)
        migrator.registerMigration("v7-composition", migrate: v7)
        migrator.registerMigration("v8-claims-without-scanning-backlogs", migrate: v8)
        migrator.registerMigration("v9-list-filters", migrate: v9)
        migrator.registerMigration("v10-erasure-of-idempotent-responses", migrate: v10)
        migrator.registerMigration("v11-endpoint-definition-filter", migrate: v11)
        migrator.registerMigration("v12-leased-claims-executor-failures", migrate: v12)
        migrator.registerMigration("v13-custom-events-definition-channel", migrate: v13)
        migrator.registerMigration("v14-runs-by-correlation-id", migrate: v14)
        migrator.registerMigration("v15-parallel-branches", migrate: v15)
        migrator.registerMigration("v16-worker-tasks", migrate: v16)
        return migrator
    }

    private static func v1(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE tenants (
                    id TEXT PRIMARY KEY NOT NULL CHECK (length(id) BETWEEN 1 AND 64),
                    created_at INTEGER NOT NULL
                );

                CREATE TABLE api_keys (
                    id TEXT PRIMARY KEY NOT NULL,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 128),
                    scopes TEXT NOT NULL CHECK (length(scopes) > 0),
                    secret_hash TEXT NOT NULL UNIQUE CHECK (length(secret_hash) = 64),
                    secret_prefix TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    revoked_at INTEGER
                );
                CREATE INDEX api_keys_tenant ON api_keys(tenant_id);

                CREATE TABLE cases (
                    id TEXT PRIMARY KEY NOT NULL,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    external_id TEXT CHECK (external_id IS NULL OR length(external_id) BETWEEN 1 AND 256),
                    first_name TEXT,
                    last_name TEXT,
                    personal_number TEXT,
                    email TEXT,
                    company_name TEXT,
                    company_number TEXT,
                    company_address TEXT,
                    data TEXT CHECK (data IS NULL OR json_valid(data)),
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    erased_at INTEGER,
                    -- An erased case holds nothing personal.
                    CHECK (erased_at IS NULL OR (
                        external_id IS NULL AND first_name IS NULL AND last_name IS NULL
                        AND personal_number IS NULL AND email IS NULL AND company_name IS NULL
                        AND company_number IS NULL AND company_address IS NULL AND data IS NULL))
                );
                CREATE INDEX cases_tenant ON cases(tenant_id, id);
                CREATE UNIQUE INDEX cases_tenant_external_id ON cases(tenant_id, external_id)
                    WHERE external_id IS NOT NULL;

                CREATE TABLE parameter_sets (
                    id TEXT PRIMARY KEY NOT NULL,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    workflow_definition_id TEXT NOT NULL CHECK (length(workflow_definition_id) BETWEEN 1 AND 128),
                    version INTEGER CHECK (version IS NULL OR version >= 1),
                    "values" TEXT NOT NULL CHECK (json_valid("values") AND json_type("values") = 'object'),
                    created_at INTEGER NOT NULL
                );
                CREATE INDEX parameter_sets_tenant ON parameter_sets(tenant_id, id);
                """)
    }

    private static func v2(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE workflow_definitions (
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    id TEXT NOT NULL CHECK (length(id) BETWEEN 1 AND 128),
                    disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (tenant_id, id)
                );

                CREATE TABLE workflow_definition_versions (
                    version_id TEXT PRIMARY KEY NOT NULL,
                    tenant_id TEXT NOT NULL,
                    definition_id TEXT NOT NULL,
                    -- -1 is the draft; published versions count from 1.
                    version INTEGER NOT NULL CHECK (version = -1 OR version >= 1),
                    content TEXT NOT NULL CHECK (json_valid(content) AND json_type(content) = 'object'),
                    hash TEXT NOT NULL CHECK (length(hash) = 16),
                    created_at INTEGER NOT NULL,
                    created_by TEXT NOT NULL,
                    updated_at INTEGER NOT NULL,
                    updated_by TEXT NOT NULL,
                    UNIQUE (tenant_id, definition_id, version),
                    FOREIGN KEY (tenant_id, definition_id) REFERENCES workflow_definitions(tenant_id, id)
                );

                -- Published versions are immutable: runs are pinned to them.
                CREATE TRIGGER workflow_definition_versions_immutable_update
                BEFORE UPDATE ON workflow_definition_versions WHEN OLD.version >= 1
                BEGIN SELECT RAISE(ABORT, 'published workflow definition versions are immutable'); END;
                CREATE TRIGGER workflow_definition_versions_immutable_delete
                BEFORE DELETE ON workflow_definition_versions WHEN OLD.version >= 1
                BEGIN SELECT RAISE(ABORT, 'published workflow definition versions are immutable'); END;
                """)
    }

    /// Webhook endpoints and the outbox: events (the exact body sent), one delivery per event and
    /// subscribed endpoint, and every attempt. See `docs/ARCHITECTURE.md`, "Webhook delivery".
    private static func v3(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE webhook_endpoints (
                    id TEXT PRIMARY KEY NOT NULL,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    url TEXT NOT NULL CHECK (length(url) BETWEEN 8 AND 2048 AND (url LIKE 'http://%' OR url LIKE 'https://%')),
                    description TEXT CHECK (description IS NULL OR length(description) <= 1024),
                    events TEXT NOT NULL CHECK (json_valid(events) AND json_type(events) = 'array' AND json_array_length(events) >= 1),
                    enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
                    secret TEXT NOT NULL CHECK (secret LIKE 'whsec_%'),
                    previous_secret TEXT CHECK (previous_secret IS NULL OR previous_secret LIKE 'whsec_%'),
                    previous_secret_expires_at INTEGER,
                    disabled_reason TEXT,
                    failing_since INTEGER,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    UNIQUE (tenant_id, id),
                    -- A rotation grace has both the old secret and its end, or neither.
                    CHECK ((previous_secret IS NULL) = (previous_secret_expires_at IS NULL)),
                    -- Only a disabled endpoint says why it is disabled.
                    CHECK (enabled = 0 OR disabled_reason IS NULL)
                );

                -- An event is written once, in the transaction of the state change that causes it;
                -- its id is the webhook-id of every attempt and every redelivery.
                CREATE TABLE webhook_events (
                    id TEXT PRIMARY KEY NOT NULL CHECK (length(id) BETWEEN 1 AND 128),
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    type TEXT NOT NULL CHECK (type IN ('workflow.completed', 'workflow.failed', 'workflow.timed_out',
                        'workflow.cancelled', 'workflow.waiting', 'workflow.timeout_alert')),
                    body TEXT NOT NULL CHECK (json_valid(body) AND length(CAST(body AS BLOB)) <= 262144),
                    run_id TEXT,
                    created_at INTEGER NOT NULL,
                    UNIQUE (tenant_id, id)
                );
                CREATE INDEX webhook_events_tenant_created ON webhook_events(tenant_id, created_at);
                CREATE INDEX webhook_events_run ON webhook_events(run_id) WHERE run_id IS NOT NULL;

                CREATE TABLE webhook_deliveries (
                    id TEXT PRIMARY KEY NOT NULL,
                    tenant_id TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    endpoint_id TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('PENDING', 'DELIVERING', 'SUCCEEDED', 'FAILED')),
                    attempt_count INTEGER NOT NULL DEFAULT 0 CHECK (attempt_count >= 0),
                    next_attempt_at INTEGER,
                    lease_owner TEXT,
                    lease_expires_at INTEGER,
                    last_error TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    -- The event and the endpoint belong to the delivery's tenant.
                    FOREIGN KEY (tenant_id, event_id) REFERENCES webhook_events(tenant_id, id) ON DELETE CASCADE,
                    FOREIGN KEY (tenant_id, endpoint_id) REFERENCES webhook_endpoints(tenant_id, id) ON DELETE CASCADE,
                    -- A pending delivery is due at some time; no other status has one.
                    CHECK ((status = 'PENDING') = (next_attempt_at IS NOT NULL)),
                    -- A delivering one is leased; no other status holds a lease.
                    CHECK ((status = 'DELIVERING') = (lease_owner IS NOT NULL)),
                    CHECK ((lease_owner IS NULL) = (lease_expires_at IS NULL))
                );
                -- Claiming: due pending deliveries, and expired leases.
                CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) WHERE status = 'PENDING';
                CREATE INDEX webhook_deliveries_leased ON webhook_deliveries(lease_expires_at) WHERE status = 'DELIVERING';
                CREATE INDEX webhook_deliveries_tenant ON webhook_deliveries(tenant_id, id);
                CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(tenant_id, endpoint_id, id);
                CREATE INDEX webhook_deliveries_event ON webhook_deliveries(tenant_id, event_id);
                -- At most one delivery of an event to an endpoint is on its way at a time.
                CREATE UNIQUE INDEX webhook_deliveries_one_active ON webhook_deliveries(event_id, endpoint_id)
                    WHERE status IN ('PENDING', 'DELIVERING');

                CREATE TABLE webhook_delivery_attempts (
                    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
                    attempt INTEGER NOT NULL CHECK (attempt >= 1),
                    at INTEGER NOT NULL,
                    response_status INTEGER CHECK (response_status IS NULL OR response_status BETWEEN 100 AND 999),
                    duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
                    response_body TEXT CHECK (response_body IS NULL OR length(CAST(response_body AS BLOB)) <= 4096),
                    error TEXT,
                    -- An attempt got a response or failed before one.
                    CHECK (response_status IS NOT NULL OR error IS NOT NULL),
                    PRIMARY KEY (delivery_id, attempt)
                ) WITHOUT ROWID;
                """)
    }

    private static func v4(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE runs (
                    id TEXT PRIMARY KEY NOT NULL,
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
                    input TEXT NOT NULL CHECK (json_valid(input)),
                    params TEXT NOT NULL CHECK (json_valid(params)),
                    state TEXT NOT NULL CHECK (json_valid(state)),
                    step_results TEXT NOT NULL CHECK (json_valid(step_results)),
                    correlation_id TEXT CHECK (correlation_id IS NULL OR length(correlation_id) <= 256),
                    channel TEXT CHECK (channel IS NULL OR length(channel) <= 64),
                    result TEXT CHECK (result IS NULL OR json_valid(result)),
                    error TEXT CHECK (error IS NULL OR json_valid(error)),
                    due_at INTEGER,
                    claimed_by TEXT,
                    created_at INTEGER NOT NULL,
                    started_at INTEGER,
                    finished_at INTEGER,
                    updated_at INTEGER NOT NULL,
                    -- A run is finished exactly when its status is terminal; then nothing is due
                    -- or claimed and there is no current step.
                    CHECK ((status IN ('COMPLETED', 'FAILED', 'TIMED_OUT', 'CANCELLED')) = (finished_at IS NOT NULL)),
                    CHECK (finished_at IS NULL OR (due_at IS NULL AND claimed_by IS NULL AND current_step_id IS NULL)),
                    CHECK (status = 'PENDING' OR started_at IS NOT NULL)
                );
                CREATE INDEX runs_tenant ON runs(tenant_id, id);
                CREATE INDEX runs_case ON runs(tenant_id, case_id, id);
                CREATE INDEX runs_due ON runs(due_at) WHERE due_at IS NOT NULL AND claimed_by IS NULL;

                CREATE TABLE run_tasks (
                    id TEXT PRIMARY KEY NOT NULL,
                    run_id TEXT NOT NULL REFERENCES runs(id),
                    step_id TEXT NOT NULL,
                    name TEXT,
                    action TEXT NOT NULL,
                    attempt INTEGER NOT NULL CHECK (attempt >= 1),
                    status TEXT NOT NULL CHECK (status IN ('OK', 'KO', 'SKIP', 'TIMEOUT')),
                    code TEXT,
                    parameters TEXT NOT NULL CHECK (json_valid(parameters)),
                    output TEXT NOT NULL CHECK (json_valid(output)),
                    error TEXT,
                    parent_task_id TEXT REFERENCES run_tasks(id),
                    started_at INTEGER NOT NULL,
                    finished_at INTEGER NOT NULL
                );
                CREATE INDEX run_tasks_run ON run_tasks(run_id, id);
                """)
    }

    /// Durable waits (`wait`, `await`) and signals (issue #5). A waiting run is its row: the wait
    /// columns say what it waits for, `due_at` when it wakes (NULL: an await without timeout).
    /// Added column by column, each CHECK naming only columns that exist before it.
    private static func v5(_ db: Database) throws {
        try db.execute(
            sql: """
                -- Set exactly while the current step is a suspended wait/await: always when WAITING
                -- (RUNNING keeps it while the engine wakes the step), never once finished.
                ALTER TABLE runs ADD COLUMN waiting_since INTEGER
                    CHECK ((status <> 'WAITING' OR waiting_since IS NOT NULL) AND (finished_at IS NULL OR waiting_since IS NULL));
                -- The awaited signal's name (NULL: a timer).
                ALTER TABLE runs ADD COLUMN wait_signal TEXT
                    CHECK (wait_signal IS NULL OR (waiting_since IS NOT NULL AND length(wait_signal) BETWEEN 1 AND 64));
                -- A timer's wake time (required) or an await's timeout (optional).
                ALTER TABLE runs ADD COLUMN wait_until INTEGER
                    CHECK ((wait_until IS NULL OR waiting_since IS NOT NULL)
                        AND (waiting_since IS NULL OR wait_signal IS NOT NULL OR wait_until IS NOT NULL));
                -- The payload of the signal delivered to the await (JSON; NULL until delivered).
                ALTER TABLE runs ADD COLUMN wait_payload TEXT
                    CHECK (wait_payload IS NULL OR (wait_signal IS NOT NULL AND json_valid(wait_payload)));

                -- Signals sent to runs. Unconsumed ones are kept until an await of that name consumes
                -- the earliest (by id, a ULID: arrival order).
                CREATE TABLE run_signals (
                    id TEXT PRIMARY KEY NOT NULL,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    run_id TEXT NOT NULL REFERENCES runs(id),
                    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
                    payload TEXT NOT NULL CHECK (json_valid(payload)),
                    created_at INTEGER NOT NULL,
                    consumed_at INTEGER,
                    -- The await step that consumed it.
                    consumed_by_step TEXT,
                    CHECK ((consumed_at IS NULL) = (consumed_by_step IS NULL))
                );
                CREATE INDEX run_signals_run ON run_signals(run_id, id);
                CREATE INDEX run_signals_unconsumed ON run_signals(run_id, name, id) WHERE consumed_at IS NULL;
                """)
    }

    /// `Idempotency-Key` records: the first request's fingerprint and, once it completed, its
    /// response, per tenant and key, until `expires_at`.
    private static func v6(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE idempotency_keys (
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    key TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
                    request_hash TEXT NOT NULL CHECK (length(request_hash) = 64),
                    state TEXT NOT NULL CHECK (state IN ('IN_FLIGHT', 'DONE')),
                    locked_until INTEGER,
                    response_status INTEGER,
                    response_headers TEXT CHECK (response_headers IS NULL OR json_valid(response_headers)),
                    response_body BLOB,
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL,
                    PRIMARY KEY (tenant_id, key),
                    -- A completed record has its response; one in flight has a lock and no response.
                    CHECK ((state = 'DONE') = (response_status IS NOT NULL AND response_headers IS NOT NULL
                        AND response_body IS NOT NULL AND locked_until IS NULL))
                );
                CREATE INDEX idempotency_keys_expiry ON idempotency_keys(expires_at);
                """)
    }

    /// Composition (issue #5): child runs (`workflow.run`), failure workflows, rate limits and
    /// workflow timeouts. Every piece of scheduling state is a column, so a restart resumes it.
    /// Added column by column, each CHECK naming only columns that exist before it.
    private static func v7(_ db: Database) throws {
        try db.execute(
            sql: """
                -- The run whose workflow.run step started this one, and how deep it nests. Links to
                -- other runs are cleared when retention purges the run they name (ON DELETE SET
                -- NULL), and every linking column is indexed so that such a delete is a lookup.
                ALTER TABLE runs ADD COLUMN parent_run_id TEXT REFERENCES runs(id) ON DELETE SET NULL;
                ALTER TABLE runs ADD COLUMN depth INTEGER NOT NULL DEFAULT 0
                    CHECK (depth >= 0 AND (parent_run_id IS NULL OR depth >= 1));
                -- The run whose FAILED/TIMED_OUT end started this one as its failureWorkflow.
                ALTER TABLE runs ADD COLUMN failure_of_run_id TEXT REFERENCES runs(id) ON DELETE SET NULL;
                -- The child run a WAITING workflow.run step waits for. Such a wait stores the reserved
                -- signal name '@child' (v5 requires a signal or a time on every wait; no signal sent
                -- through the API can have that name). The child is active while it is waited for,
                -- so it is never purged then.
                ALTER TABLE runs ADD COLUMN wait_child_run_id TEXT REFERENCES runs(id)
                    CHECK (wait_child_run_id IS NULL OR (waiting_since IS NOT NULL AND wait_signal = '@child'));
                -- The evaluated rateLimit.key and concurrentExecLimit of the run's version.
                ALTER TABLE runs ADD COLUMN rate_key TEXT;
                ALTER TABLE runs ADD COLUMN rate_limit INTEGER
                    CHECK ((rate_key IS NULL) = (rate_limit IS NULL) AND (rate_limit IS NULL OR rate_limit >= 1));
                -- The workflow timeout and its policy; the deadline is set when the engine starts
                -- the run (PENDING -> RUNNING) and cleared once an ALERT_ONLY alert was written.
                ALTER TABLE runs ADD COLUMN timeout_ms INTEGER CHECK (timeout_ms IS NULL OR timeout_ms > 0);
                ALTER TABLE runs ADD COLUMN timeout_policy TEXT
                    CHECK ((timeout_policy IS NULL) = (timeout_ms IS NULL)
                        AND (timeout_policy IS NULL OR timeout_policy IN ('TIME_OUT_WF', 'ALERT_ONLY')));
                ALTER TABLE runs ADD COLUMN deadline_at INTEGER CHECK (deadline_at IS NULL OR timeout_ms IS NOT NULL);
                ALTER TABLE runs ADD COLUMN timeout_alerted_at INTEGER;
                CREATE INDEX runs_parent ON runs(parent_run_id) WHERE parent_run_id IS NOT NULL;
                CREATE INDEX runs_failure_of ON runs(failure_of_run_id) WHERE failure_of_run_id IS NOT NULL;
                CREATE INDEX runs_wait_child ON runs(wait_child_run_id) WHERE wait_child_run_id IS NOT NULL;
                CREATE INDEX runs_rate ON runs(tenant_id, workflow_definition_id, rate_key, status, id)
                    WHERE rate_key IS NOT NULL AND finished_at IS NULL;
                CREATE INDEX runs_deadline ON runs(deadline_at) WHERE deadline_at IS NOT NULL AND finished_at IS NULL;

                -- The child run of a workflow.run step's attempt.
                ALTER TABLE run_tasks ADD COLUMN child_run_id TEXT REFERENCES runs(id) ON DELETE SET NULL;
                CREATE INDEX run_tasks_child ON run_tasks(child_run_id) WHERE child_run_id IS NOT NULL;
                -- v4 left parent_task_id unindexed: purging tasks scanned run_tasks for each one.
                CREATE INDEX run_tasks_parent ON run_tasks(parent_task_id) WHERE parent_task_id IS NOT NULL;
                """)
    }

    /// Claims whose cost does not grow with a backlog (docs/PERFORMANCE.md): a webhook claim
    /// finds each endpoint's oldest due deliveries through `webhook_deliveries_endpoint_due`
    /// (`SQLiteStore.dueDeliveries`), and the run claim reads due runs through
    /// `runs_due_unqueued`, which leaves out the runs queued behind a rate limit
    /// (`SQLiteStore.dueUnqueued`); `runs_due`, which held them, is no longer read.
    private static func v8(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE INDEX webhook_deliveries_endpoint_due ON webhook_deliveries(endpoint_id, next_attempt_at, id)
                    WHERE status = 'PENDING';
                CREATE INDEX runs_due_unqueued ON runs(due_at, id)
                    WHERE due_at IS NOT NULL AND claimed_by IS NULL AND (rate_key IS NULL OR status <> 'PENDING');
                DROP INDEX runs_due;
                """)
    }

    /// Lists filtered by status read an index (`listRuns`, `listDeliveries`): runs by tenant and
    /// status; failed deliveries by tenant, by endpoint and across tenants (the CLI). Only failed
    /// deliveries need one: they are few, and the other statuses are either most deliveries or
    /// the newest ones, found at once in id order.
    private static func v9(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE INDEX runs_tenant_status ON runs(tenant_id, status, id);
                CREATE INDEX webhook_deliveries_failed ON webhook_deliveries(tenant_id, id) WHERE status = 'FAILED';
                CREATE INDEX webhook_deliveries_failed_endpoint ON webhook_deliveries(tenant_id, endpoint_id, id)
                    WHERE status = 'FAILED';
                CREATE INDEX webhook_deliveries_failed_all ON webhook_deliveries(id) WHERE status = 'FAILED';
                """)
    }

    /// A stored idempotent response names the case it is about (`case_id`), so that erasing the
    /// case deletes it (`eraseCase`): the response to a case's creation holds its personal fields.
    /// `storage_probe` is the scratch table of the readiness probe while the storage is full.
    private static func v10(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE idempotency_keys ADD COLUMN case_id TEXT;
                CREATE INDEX idempotency_keys_case ON idempotency_keys(tenant_id, case_id) WHERE case_id IS NOT NULL;
                -- The readiness probe's scratch row while the storage is full (`StorageState`).
                CREATE TABLE storage_probe (id INTEGER PRIMARY KEY CHECK (id = 1), filler BLOB NOT NULL);
                """)
    }

    /// Webhook endpoints subscribe to definitions as well as event types:
    /// `workflow_definition_ids` is `NULL` for every definition (each endpoint so far), or a
    /// non-empty JSON array of definition ids (`SQLiteStore.insertEvent` reads it).
    private static func v11(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE webhook_endpoints ADD COLUMN workflow_definition_ids TEXT
                    CHECK (workflow_definition_ids IS NULL OR (json_valid(workflow_definition_ids)
                        AND json_type(workflow_definition_ids) = 'array' AND json_array_length(workflow_definition_ids) >= 1));
                """)
    }

    /// Engine claims are leases (`RunClaim`): `claim_expires_at` is set exactly while the run is
    /// claimed, and an expired claim is claimable by any engine (`runs_claim_expiry` finds them).
    /// `executor_failures` counts the engine's failures to execute the run since it last moved on
    /// (`RunLifecycle.executorFailed`). Claims held before are released first: the migration runs
    /// before any engine starts, and their owners are gone.
    private static func v12(_ db: Database) throws {
        try db.execute(
            sql: """
                UPDATE runs SET claimed_by = NULL WHERE claimed_by IS NOT NULL;
                ALTER TABLE runs ADD COLUMN claim_expires_at INTEGER CHECK ((claim_expires_at IS NULL) = (claimed_by IS NULL));
                ALTER TABLE runs ADD COLUMN executor_failures INTEGER NOT NULL DEFAULT 0 CHECK (executor_failures >= 0);
                CREATE INDEX runs_claim_expiry ON runs(claim_expires_at) WHERE claimed_by IS NOT NULL;
                """)
    }

    /// Custom event types (`event.emit`): `webhook_events.type` is a run event or a custom type
    /// (`WebhookEventType.isCustomName`: `[a-z][a-z0-9_.-]*`, at most 128, not `workflow.…`). SQLite
    /// cannot change a CHECK, so the table is rebuilt as SQLite's ALTER TABLE documentation says
    /// (foreign keys are off during a migration and checked before it commits).
    /// `workflow_definition_versions.channel` records the `X-Channel` of the write that saved the
    /// version, as runs do.
    /// v14: the dashboard's runs list filters by correlation id; an index on it keeps a filter
    /// few runs match from reading the tenant's whole history.
    private static func v14(_ db: Database) throws {
        try db.execute(sql: "CREATE INDEX runs_correlation ON runs(tenant_id, correlation_id, id) WHERE correlation_id IS NOT NULL")
    }

    /// Parallel branches (issue #19): a branch run (`RunBranch`) names its parent's `parallel`
    /// step, its branch, its group (the id of the group's first branch run, which the parent's
    /// `wait_child_run_id` holds while the step waits) and how the group joins; all four or none.
    private static func v15(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE runs ADD COLUMN branch_step_id TEXT;
                ALTER TABLE runs ADD COLUMN branch_id TEXT CHECK ((branch_id IS NULL) = (branch_step_id IS NULL));
                ALTER TABLE runs ADD COLUMN branch_group TEXT CHECK ((branch_group IS NULL) = (branch_id IS NULL));
                ALTER TABLE runs ADD COLUMN branch_join TEXT
                    CHECK ((branch_join IS NULL) = (branch_group IS NULL)
                        AND (branch_join IS NULL OR branch_join IN ('all', 'all_no_fail_fast', 'any')));
                CREATE INDEX runs_branch_group ON runs(parent_run_id, branch_group, id) WHERE branch_group IS NOT NULL;
                """)
    }

    /// Worker tasks (issue #19, `WorkerTask`): the task a `task` step waits for, and every lease
    /// of it (a lease names its worker; a lease that is not the task's current one is lost).
    /// Polls read `worker_tasks_open`; a run's purge deletes its tasks.
    private static func v16(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE worker_tasks (
                    id TEXT PRIMARY KEY NOT NULL,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    case_id TEXT NOT NULL,
                    step_id TEXT NOT NULL,
                    step_attempt INTEGER NOT NULL CHECK (step_attempt >= 1),
                    queue TEXT NOT NULL CHECK (length(queue) BETWEEN 1 AND 48),
                    input TEXT NOT NULL CHECK (json_valid(input)),
                    lease_ms INTEGER NOT NULL CHECK (lease_ms > 0),
                    deadline_at INTEGER NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('QUEUED', 'LEASED', 'COMPLETED', 'FAILED', 'CANCELLED')),
                    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                    lease_id TEXT,
                    worker TEXT,
                    lease_expires_at INTEGER,
                    result TEXT CHECK (result IS NULL OR json_valid(result)),
                    created_at INTEGER NOT NULL,
                    finished_at INTEGER,
                    CHECK ((status = 'LEASED') = (lease_expires_at IS NOT NULL)),
                    CHECK ((status IN ('COMPLETED', 'FAILED', 'CANCELLED')) = (finished_at IS NOT NULL)),
                    CHECK ((status IN ('LEASED', 'COMPLETED', 'FAILED')) <= (lease_id IS NOT NULL AND worker IS NOT NULL))
                );
                CREATE INDEX worker_tasks_open ON worker_tasks(tenant_id, queue, id) WHERE status IN ('QUEUED', 'LEASED');
                CREATE INDEX worker_tasks_run ON worker_tasks(run_id);
                CREATE INDEX worker_tasks_case ON worker_tasks(tenant_id, case_id);
                CREATE TABLE worker_task_leases (
                    id TEXT PRIMARY KEY NOT NULL,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    task_id TEXT NOT NULL REFERENCES worker_tasks(id) ON DELETE CASCADE,
                    attempt INTEGER NOT NULL CHECK (attempt >= 1),
                    worker TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                );
                CREATE INDEX worker_task_leases_task ON worker_task_leases(task_id);
                """)
    }

    private static func v13(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE webhook_events_v13 (
                    id TEXT PRIMARY KEY NOT NULL CHECK (length(id) BETWEEN 1 AND 128),
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    type TEXT NOT NULL CHECK (type IN ('workflow.completed', 'workflow.failed', 'workflow.timed_out',
                            'workflow.cancelled', 'workflow.waiting', 'workflow.timeout_alert')
                        OR (length(type) BETWEEN 1 AND 128 AND type GLOB '[a-z]*' AND type NOT GLOB '*[^-a-z0-9_.]*'
                            AND type NOT GLOB 'workflow.*')),
                    body TEXT NOT NULL CHECK (json_valid(body) AND length(CAST(body AS BLOB)) <= 262144),
                    run_id TEXT,
                    created_at INTEGER NOT NULL,
                    UNIQUE (tenant_id, id)
                );
                INSERT INTO webhook_events_v13 (id, tenant_id, type, body, run_id, created_at)
                    SELECT id, tenant_id, type, body, run_id, created_at FROM webhook_events;
                DROP TABLE webhook_events;
                ALTER TABLE webhook_events_v13 RENAME TO webhook_events;
                CREATE INDEX webhook_events_tenant_created ON webhook_events(tenant_id, created_at);
                CREATE INDEX webhook_events_run ON webhook_events(run_id) WHERE run_id IS NOT NULL;

                ALTER TABLE workflow_definition_versions ADD COLUMN channel TEXT
                    CHECK (channel IS NULL OR length(channel) BETWEEN 1 AND 64);
                """)
    }
}
