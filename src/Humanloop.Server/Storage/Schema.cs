using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Humanloop.Server.Storage;

/// <summary>
/// The schema, for both engines, and the migrations that bring an older database to it at start. Free-form JSON
/// (inputs, metadata, config bodies, provider payloads) is kept as text; what is filtered, joined or sorted on is a
/// column; times are fixed-width UTC text (see <see cref="Columns.Time(DateTime)"/>) on both engines, so they sort
/// and compare alike. The tables are written once, in SQLite's DDL; <see cref="PostgresDdl"/> derives PostgreSQL's.
/// <para>
/// SQLite records the version in <c>user_version</c> (one process per folder, so no lock is needed). PostgreSQL
/// records each applied migration in <c>schema_migrations</c>, under an advisory lock, so replicas starting together
/// apply each migration once and the others wait, then find it done.
/// </para>
/// </summary>
internal static class Schema
{
    public const int Version = 6;


    /// <summary>
    /// Sessions exist without a project (<c>POST /sessions</c>) and span projects (a session is listed under every
    /// project that has a log in it); the project is the one whose <c>session_reference_id</c> made it, and
    /// deleting that project leaves the session (and the logs of other projects in it) in place.
    /// </summary>
    private static string SessionsTable(string name) => $"""
        CREATE TABLE IF NOT EXISTS {name} (
            id TEXT PRIMARY KEY,
            project_id TEXT REFERENCES projects(id) ON DELETE SET NULL,
            reference_id TEXT,
            created_at TEXT NOT NULL
        );
        """;

    private static readonly string CreateTables = $"""
        CREATE TABLE IF NOT EXISTS projects (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            directory_id TEXT,
            positive_labels TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            feedback_types TEXT
        );
        CREATE TABLE IF NOT EXISTS model_configs (
            id TEXT PRIMARY KEY,
            project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            content_hash TEXT NOT NULL,
            body TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (project_id, content_hash)
        );
        CREATE INDEX IF NOT EXISTS model_configs_content ON model_configs (content_hash);
        CREATE TABLE IF NOT EXISTS tool_configs (
            id TEXT PRIMARY KEY,
            project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            content_hash TEXT NOT NULL,
            body TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (project_id, content_hash)
        );
        CREATE TABLE IF NOT EXISTS experiments (
            id TEXT PRIMARY KEY,
            project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            positive_labels TEXT NOT NULL,
            metric_id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS experiment_configs (
            experiment_id TEXT NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
            config_id TEXT NOT NULL REFERENCES model_configs(id) ON DELETE CASCADE,
            active INTEGER NOT NULL,
            position INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (experiment_id, config_id)
        );
        CREATE TABLE IF NOT EXISTS deployments (
            project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            environment_id TEXT NOT NULL,
            config_id TEXT REFERENCES model_configs(id) ON DELETE CASCADE,
            experiment_id TEXT REFERENCES experiments(id) ON DELETE CASCADE,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (project_id, environment_id)
        );
        CREATE TABLE IF NOT EXISTS trials (
            id TEXT PRIMARY KEY,
            experiment_id TEXT NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
            config_id TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        {SessionsTable("sessions")}
        CREATE UNIQUE INDEX IF NOT EXISTS sessions_reference ON sessions (project_id, reference_id) WHERE reference_id IS NOT NULL;
        CREATE TABLE IF NOT EXISTS logs (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            session_id TEXT,
            session_reference_id TEXT,
            parent_id TEXT,
            config_id TEXT NOT NULL,
            experiment_id TEXT,
            trial_id TEXT,
            environment TEXT,
            inputs TEXT NOT NULL,
            output TEXT,
            raw_output TEXT,
            finish_reason TEXT,
            source TEXT,
            metadata TEXT,
            user TEXT,
            source_datapoint_id TEXT,
            save INTEGER NOT NULL,
            prompt_tokens INTEGER,
            output_tokens INTEGER,
            provider_latency REAL,
            provider_request TEXT,
            provider_response TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            messages TEXT,
            output_message TEXT,
            tool_choice TEXT,
            evaluation_id TEXT,
            error TEXT,
            reference_id TEXT,
            parent_reference_id TEXT,
            judgment TEXT,
            prompt_cost REAL,
            output_cost REAL
        );
        CREATE INDEX IF NOT EXISTS logs_project_created ON logs (project_id, created_at);
        CREATE INDEX IF NOT EXISTS logs_experiment ON logs (experiment_id);
        CREATE INDEX IF NOT EXISTS logs_evaluation ON logs (evaluation_id, source_datapoint_id);
        CREATE INDEX IF NOT EXISTS logs_session ON logs (session_id);
        CREATE INDEX IF NOT EXISTS logs_reference ON logs (reference_id) WHERE reference_id IS NOT NULL;
        CREATE TABLE IF NOT EXISTS feedback (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            log_id TEXT NOT NULL REFERENCES logs(id) ON DELETE CASCADE,
            type TEXT NOT NULL,
            value TEXT,
            value_text TEXT,
            user TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS feedback_log ON feedback (log_id);
        CREATE TABLE IF NOT EXISTS datasets (
            id TEXT PRIMARY KEY,
            project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            description TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS datasets_project ON datasets (project_id);
        CREATE TABLE IF NOT EXISTS datapoints (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
            inputs TEXT NOT NULL,
            messages TEXT NOT NULL,
            target TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS datapoints_dataset ON datapoints (dataset_id, seq);
        CREATE TABLE IF NOT EXISTS evaluators (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            description TEXT NOT NULL,
            type TEXT NOT NULL,
            arguments_type TEXT NOT NULL,
            return_type TEXT NOT NULL,
            code TEXT,
            model_config_id TEXT,
            model_config TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS evaluations (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            config_id TEXT NOT NULL,
            dataset_id TEXT NOT NULL,
            dataset_version_id TEXT NOT NULL,
            dataset_snapshot TEXT NOT NULL,
            hl_generated INTEGER NOT NULL,
            status TEXT NOT NULL,
            status_reason TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            lease_until TEXT
        );
        CREATE INDEX IF NOT EXISTS evaluations_project_created ON evaluations (project_id, created_at);
        CREATE TABLE IF NOT EXISTS evaluation_evaluators (
            evaluation_id TEXT NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
            evaluator_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (evaluation_id, evaluator_id)
        );
        CREATE TABLE IF NOT EXISTS evaluation_datapoints (
            evaluation_id TEXT NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            datapoint_id TEXT NOT NULL,
            dataset_id TEXT NOT NULL,
            inputs TEXT NOT NULL,
            messages TEXT NOT NULL,
            target TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (evaluation_id, position),
            UNIQUE (evaluation_id, datapoint_id)
        );
        CREATE TABLE IF NOT EXISTS evaluation_results (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            evaluation_id TEXT NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
            log_id TEXT NOT NULL REFERENCES logs(id) ON DELETE CASCADE,
            evaluator_id TEXT NOT NULL,
            value TEXT,
            error TEXT,
            judge_log_id TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (log_id, evaluator_id)
        );
        CREATE INDEX IF NOT EXISTS evaluation_results_evaluation ON evaluation_results (evaluation_id);
        """;

    public static void ApplySqlite(SqliteConnection connection)
    {
        var version = Database.Scalar<long>(connection, "PRAGMA user_version;");
        if (version > Version)
        {
            throw new InvalidOperationException($"The data folder was written by a newer server (schema {version}; this server knows {Version}).");
        }

        // One transaction: an upgrade that fails half way leaves the folder as the older server wrote it.
        using var transaction = connection.BeginTransaction();

        if (version == 1)
        {
            // Version 2 added what chat logs keep. Existing logs were all completions: the new columns stay null.
            Database.Execute(connection, "ALTER TABLE logs ADD COLUMN messages TEXT; ALTER TABLE logs ADD COLUMN output_message TEXT; ALTER TABLE logs ADD COLUMN tool_choice TEXT;");
        }

        if (version is >= 1 and < 4)
        {
            // Version 4 added evaluations: logs say which evaluation they belong to and what error they record
            // (both null for older logs); the evaluation tables are new, and CreateTables adds them.
            Database.Execute(connection, "ALTER TABLE logs ADD COLUMN evaluation_id TEXT; ALTER TABLE logs ADD COLUMN error TEXT;");
        }

        if (version is >= 1 and < 5)
        {
            // Version 5 added what POST /logs keeps (null for older logs), a project's own feedback types (null: the
            // defaults), and sessions without a project: SQLite cannot drop a NOT NULL, so that table is copied.
            Database.Execute(connection, $"""
                ALTER TABLE logs ADD COLUMN reference_id TEXT;
                ALTER TABLE logs ADD COLUMN parent_reference_id TEXT;
                ALTER TABLE logs ADD COLUMN judgment TEXT;
                ALTER TABLE logs ADD COLUMN prompt_cost REAL;
                ALTER TABLE logs ADD COLUMN output_cost REAL;
                ALTER TABLE projects ADD COLUMN feedback_types TEXT;
                {SessionsTable("sessions_v5")}
                INSERT INTO sessions_v5 (id, project_id, reference_id, created_at) SELECT id, project_id, reference_id, created_at FROM sessions;
                DROP TABLE sessions;
                ALTER TABLE sessions_v5 RENAME TO sessions;
                """);
        }

        if (version is >= 4 and < 6)
        {
            // Version 6 added the lease of a server-run evaluation (null: no replica holds it).
            Database.Execute(connection, "ALTER TABLE evaluations ADD COLUMN lease_until TEXT;");
        }

        // Version 3 added datasets, datapoints and evaluators, version 4 evaluations, version 5 tool configs and
        // trials: new tables (and indexes), which CreateTables adds to an older folder as it stands.
        Database.Execute(connection, CreateTables);
        Database.Execute(connection, $"PRAGMA user_version = {Version};");
        transaction.Commit();
    }

    /// <summary>
    /// PostgreSQL's migrations, by the version they bring the database to. A database starts at 6 (the first version
    /// PostgreSQL had); a later version appends its step here and to <see cref="ApplySqlite"/>.
    /// </summary>
    private static readonly (int Version, string Sql)[] PostgresMigrations =
    [
        (6, PostgresDdl(CreateTables) + """

            CREATE OR REPLACE FUNCTION instr(haystack TEXT, needle TEXT) RETURNS INTEGER
                LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT strpos(haystack, needle)';
            """),
    ];

    /// <summary>
    /// Brings a PostgreSQL database to this server's schema. <paramref name="schema"/> is the first schema of the
    /// connection's search path (null: the default, <c>public</c>); it is created when missing, so an operator can give
    /// the server a schema of its own with <c>Search Path=humanloop</c>.
    /// </summary>
    public static void ApplyPostgres(NpgsqlConnection connection, string? schema)
    {
        using var transaction = connection.BeginTransaction();
        // The advisory lock is per schema, so servers on different schemas of one database do not wait on each other.
        Database.Execute(connection, "SELECT pg_advisory_xact_lock(hashtext('humanloop-schema:' || @schema))", ("@schema", schema ?? "public"));
        if (schema is not null)
        {
            Database.Execute(connection, $"CREATE SCHEMA IF NOT EXISTS \"{schema.Replace("\"", "\"\"", StringComparison.Ordinal)}\"");
        }

        Database.Execute(connection, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
        var version = Database.Scalar<long>(connection, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
        if (version > Version)
        {
            throw new InvalidOperationException($"The database was written by a newer server (schema {version}; this server knows {Version}).");
        }

        foreach (var (target, sql) in PostgresMigrations.Where(m => m.Version > version))
        {
            Database.Execute(connection, sql);
            Database.Execute(connection, "INSERT INTO schema_migrations (version, applied_at) VALUES (@version, @now)",
                ("@version", target), ("@now", Columns.Time(DateTime.UtcNow)));
        }

        transaction.Commit();
    }

    /// <summary>
    /// PostgreSQL's spelling of SQLite DDL: identity columns for AUTOINCREMENT, double precision for REAL, a quoted
    /// <c>user</c> (a reserved word there), and an explicit <c>rowid</c> on the tables keyed by id, which SQLite has
    /// implicitly and the stores order by (the order rows were added).
    /// </summary>
    internal static string PostgresDdl(string sqlite)
    {
        var ddl = sqlite.Replace("seq INTEGER PRIMARY KEY AUTOINCREMENT", "seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", StringComparison.Ordinal);
        ddl = Regex.Replace(ddl, @"\bREAL\b", "DOUBLE PRECISION");
        ddl = Regex.Replace(ddl, @"(?m)^(\s*)user TEXT", "$1\"user\" TEXT");
        return Regex.Replace(ddl, @"(CREATE TABLE IF NOT EXISTS \w+ \(\r?\n)(\s*)(id TEXT PRIMARY KEY)", "$1$2rowid BIGINT GENERATED BY DEFAULT AS IDENTITY UNIQUE,\n$2$3");
    }

    /// <summary>The tables that carry SQLite's implicit rowid explicitly on PostgreSQL (see <see cref="PostgresDdl"/>).</summary>
    internal static IReadOnlyList<string> TablesWithRowid =>
        Regex.Matches(PostgresDdl(CreateTables), @"CREATE TABLE IF NOT EXISTS (\w+) \(\s*rowid").Select(m => m.Groups[1].Value).ToList();

    /// <summary>The tables numbered by an AUTOINCREMENT <c>seq</c> (an identity column on PostgreSQL).</summary>
    internal static IReadOnlyList<string> TablesWithSeq =>
        Regex.Matches(CreateTables, @"CREATE TABLE IF NOT EXISTS (\w+) \(\s*seq INTEGER PRIMARY KEY AUTOINCREMENT").Select(m => m.Groups[1].Value).ToList();

    /// <summary>Every table, in an order that satisfies the foreign keys (parents first).</summary>
    internal static IReadOnlyList<string> Tables =>
        Regex.Matches(CreateTables, @"CREATE TABLE IF NOT EXISTS (\w+) \(").Select(m => m.Groups[1].Value).ToList();
}
