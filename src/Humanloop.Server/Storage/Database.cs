using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Humanloop.Server.Storage;

/// <summary>The two storage engines: SQLite (embedded, the default) and PostgreSQL (shared by replicas).</summary>
internal enum DatabaseEngine
{
    Sqlite,
    PostgreSql,
}

/// <summary>
/// The server's database, SQLite or PostgreSQL, behind one seam. Every store runs its short statements through
/// <see cref="Run{T}"/> or <see cref="InTransaction{T}"/> against ADO.NET's base types; the SQL is written once, in
/// the subset both engines read alike (<see cref="Schema"/> gives PostgreSQL the few SQLite functions it lacks), and
/// <see cref="SqlDialect"/> holds what differs.
/// <para>
/// SQLite: one connection, serialised: a local server's load is small, and one connection keeps in-memory mode
/// (which lives only as long as its connection) identical to file mode. A data folder serves one process: a lock file
/// refuses a second server on it. PostgreSQL: a connection pool, no process-wide lock; several server processes
/// (replicas) may share one database.
/// </para>
/// </summary>
internal sealed class Database : IDisposable
{
    public const string FileName = "humanloop.db";

    /// <summary>Held open (exclusively) while a server uses the data folder.</summary>
    public const string LockFileName = "humanloop.lock";

    private const int TransactionAttempts = 5;

    private readonly SqliteConnection? _sqlite;
    private readonly FileStream? _folderLock;
    private readonly NpgsqlDataSource? _postgres;
    private readonly Lock _gate = new();

    private Database(SqliteConnection connection, FileStream? folderLock, string description)
    {
        _sqlite = connection;
        _folderLock = folderLock;
        Engine = DatabaseEngine.Sqlite;
        Dialect = SqlDialect.Sqlite;
        Description = description;
    }

    private Database(NpgsqlDataSource dataSource, string description)
    {
        _postgres = dataSource;
        Engine = DatabaseEngine.PostgreSql;
        Dialect = SqlDialect.PostgreSql;
        Description = description;
    }

    /// <summary>Where the data lives, for the startup message (never a password).</summary>
    public string Description { get; }

    public DatabaseEngine Engine { get; }

    public SqlDialect Dialect { get; }

    /// <summary>Other server processes may be using the same data (PostgreSQL replicas).</summary>
    public bool IsShared => Engine == DatabaseEngine.PostgreSql;

    /// <summary>
    /// Opens the SQLite database of a data folder, creating the folder (owner-only, 0700) and the file (0600).
    /// </summary>
    /// <exception cref="IOException">Another server process is using the folder.</exception>
    public static Database OpenFile(string folder)
    {
        var folderLock = DataFolder.Lock(folder);
        try
        {
            var path = Path.Combine(folder, FileName);
            DataFolder.CreatePrivateFile(path);
            var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
            try
            {
                connection.Open();
                Execute(connection, "PRAGMA journal_mode = WAL;");
                Execute(connection, "PRAGMA foreign_keys = ON;");
                Schema.ApplySqlite(connection);
                DataFolder.RestrictFiles(folder);
                return new Database(connection, folderLock, path);
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }
        catch
        {
            folderLock.Dispose();
            throw;
        }
    }

    public static Database OpenInMemory()
    {
        var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        Execute(connection, "PRAGMA foreign_keys = ON;");
        Schema.ApplySqlite(connection);
        return new Database(connection, null, "in-memory");
    }

    /// <summary>Opens a PostgreSQL database (see <see cref="PostgresConnectionString"/>) and applies the migrations it lacks.</summary>
    public static Database OpenPostgres(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Normalise(connectionString));
        var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        try
        {
            using (var connection = dataSource.OpenConnection())
            {
                Schema.ApplyPostgres(connection, builder.SearchPath?.Split(',')[0].Trim() is { Length: > 0 } schema ? schema : null);
            }

            return new Database(dataSource, PostgresConnectionString.Describe(builder));
        }
        catch
        {
            dataSource.Dispose();
            throw;
        }
    }

    public T Run<T>(Func<DbConnection, T> work)
    {
        if (_sqlite is not null)
        {
            lock (_gate)
            {
                return Translate(() => work(_sqlite));
            }
        }

        return Translate(() =>
        {
            using var connection = _postgres!.OpenConnection();
            return work(connection);
        });
    }

    public void Run(Action<DbConnection> work) => Run(c =>
    {
        work(c);
        return 0;
    });

    /// <summary>
    /// Runs several statements atomically: committed before this returns, so what a response acknowledges is stored.
    /// On PostgreSQL a transaction that lost a deadlock or a serialisation race to another replica is run again.
    /// </summary>
    public T InTransaction<T>(Func<DbConnection, T> work)
    {
        if (_sqlite is not null)
        {
            lock (_gate)
            {
                return Translate(() =>
                {
                    using var transaction = _sqlite.BeginTransaction();
                    var result = work(_sqlite);
                    transaction.Commit();
                    return result;
                });
            }
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return Translate(() =>
                {
                    using var connection = _postgres!.OpenConnection();
                    using var transaction = connection.BeginTransaction();
                    var result = work(connection);
                    transaction.Commit();
                    return result;
                });
            }
            catch (PostgresException race) when (attempt < TransactionAttempts && SqlDialect.IsRetryable(race))
            {
                Thread.Sleep(Random.Shared.Next(5, 20 * attempt));
            }
        }
    }

    public void InTransaction(Action<DbConnection> work) => InTransaction(c =>
    {
        work(c);
        return 0;
    });

    /// <summary>
    /// Whether the database answers and carries this server's schema: what <c>/readyz</c> reports. Cheap (one
    /// round trip); never throws.
    /// </summary>
    public bool IsReady(out string reason)
    {
        try
        {
            var version = Run(c => Engine == DatabaseEngine.Sqlite
                ? Scalar<long>(c, "PRAGMA user_version;")
                : Scalar<long>(c, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
            if (version != Schema.Version)
            {
                reason = $"the database schema is version {version}; this server needs {Schema.Version}";
                return false;
            }

            reason = "";
            return true;
        }
        catch (Exception failure) when (failure is DbException or InvalidOperationException or TimeoutException or ObjectDisposedException)
        {
            reason = "the database is unreachable: " + failure.Message;
            return false;
        }
    }

    public void Dispose()
    {
        if (_sqlite is not null)
        {
            lock (_gate)
            {
                _sqlite.Dispose();
                _folderLock?.Dispose();
            }
        }

        _postgres?.Dispose();
    }

    public static int Execute(DbConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        return command.ExecuteNonQuery();
    }

    public static T? Scalar<T>(DbConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        var value = command.ExecuteScalar();
        return value is null or DBNull ? default : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), CultureInfo.InvariantCulture);
    }

    public static List<T> Query<T>(DbConnection connection, string sql, Func<DbDataReader, T> map, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    private static DbCommand Command(DbConnection connection, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    /// <summary>A unique key broken by a concurrent write (another request, another replica) is a conflict (409), not a fault.</summary>
    private static T Translate<T>(Func<T> work)
    {
        try
        {
            return work();
        }
        catch (DbException violation) when (SqlDialect.IsUniqueViolation(violation))
        {
            throw new RecordConflictException("The request conflicts with a record written at the same time (a name or key already taken); retry it.");
        }
    }
}

/// <summary>What differs between the engines' SQL, in one place.</summary>
internal sealed class SqlDialect
{
    public static readonly SqlDialect Sqlite = new("", "");

    public static readonly SqlDialect PostgreSql = new(" FOR UPDATE", " FOR SHARE");

    private SqlDialect(string forUpdate, string forShare)
    {
        ForUpdate = forUpdate;
        ForShare = forShare;
    }

    /// <summary>
    /// Appended to a SELECT that reads a row a transaction will then change: PostgreSQL locks it against other replicas
    /// (SQLite's one writer needs nothing).
    /// </summary>
    public string ForUpdate { get; }

    /// <summary>Appended to a SELECT whose row must not change until the transaction ends (a status a write depends on).</summary>
    public string ForShare { get; }

    public static bool IsUniqueViolation(Exception failure) => failure switch
    {
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        SqliteException sqlite => sqlite.SqliteErrorCode == 19 && sqlite.SqliteExtendedErrorCode is 2067 or 1555,
        _ => false,
    };

    public static bool IsRetryable(PostgresException failure) =>
        failure.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected;
}

/// <summary>Column conversions shared by the stores, alike for both engines.</summary>
internal static class Columns
{
    /// <summary>Fixed-width UTC round-trip text: sorts chronologically as a string (both engines keep times as this text).</summary>
    public static string Time(DateTime value) => value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    public static DateTime Time(DbDataReader reader, string column) =>
        DateTime.Parse(reader.GetString(reader.GetOrdinal(column)), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    public static string? Text(DbDataReader reader, string column)
    {
        var ordinal = reader.GetOrdinal(column);
        return reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
    }

    public static string RequiredText(DbDataReader reader, string column) => reader.GetString(reader.GetOrdinal(column));

    public static int? Int(DbDataReader reader, string column)
    {
        var ordinal = reader.GetOrdinal(column);
        return reader.IsDBNull(ordinal) ? null : Convert.ToInt32(reader.GetValue(ordinal), CultureInfo.InvariantCulture);
    }

    public static double? Real(DbDataReader reader, string column)
    {
        var ordinal = reader.GetOrdinal(column);
        return reader.IsDBNull(ordinal) ? null : Convert.ToDouble(reader.GetValue(ordinal), CultureInfo.InvariantCulture);
    }

    public static bool Bool(DbDataReader reader, string column) => Convert.ToInt64(reader.GetValue(reader.GetOrdinal(column)), CultureInfo.InvariantCulture) != 0;
}
