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
}
