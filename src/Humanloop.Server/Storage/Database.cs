using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Humanloop.Server.Storage;

/// <summary>
/// The one SQLite connection of the server, file-backed or in-memory. Every store runs its short
/// statements through <see cref="Run{T}"/>, which serialises access: a local server's load is
/// small, and one connection keeps in-memory mode (which lives only as long as its connection)
/// identical to file mode.
/// </summary>
internal sealed class Database : IDisposable
{
    public const string FileName = "humanloop.db";

    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();

    private Database(SqliteConnection connection, string description)
    {
        _connection = connection;
        Description = description;
    }

    /// <summary>Where the data lives, for the startup message.</summary>
    public string Description { get; }

    public static Database OpenFile(string folder)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, FileName);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        Execute(connection, "PRAGMA journal_mode = WAL;");
        return Initialise(connection, path);
    }

    public static Database OpenInMemory()
    {
        var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        return Initialise(connection, "in-memory");
    }

    private static Database Initialise(SqliteConnection connection, string description)
    {
        Execute(connection, "PRAGMA foreign_keys = ON;");
        Schema.Apply(connection);
        return new Database(connection, description);
    }

    public T Run<T>(Func<SqliteConnection, T> work)
    {
        lock (_gate)
        {
            return work(_connection);
        }
    }

    public void Run(Action<SqliteConnection> work)
    {
        lock (_gate)
        {
            work(_connection);
        }
    }

    /// <summary>Runs several statements atomically.</summary>
    public T InTransaction<T>(Func<SqliteConnection, T> work)
    {
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            var result = work(_connection);
            transaction.Commit();
            return result;
        }
    }

    public void InTransaction(Action<SqliteConnection> work) => InTransaction(c =>
    {
        work(c);
        return 0;
    });

    public void Dispose()
    {
        lock (_gate)
        {
            _connection.Dispose();
        }
    }

    public static int Execute(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        return command.ExecuteNonQuery();
    }

    public static T? Scalar<T>(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        var value = command.ExecuteScalar();
        return value is null or DBNull ? default : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), CultureInfo.InvariantCulture);
    }

    public static List<T> Query<T>(SqliteConnection connection, string sql, Func<SqliteDataReader, T> map, params (string Name, object? Value)[] parameters)
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

    private static SqliteCommand Command(SqliteConnection connection, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }
}

/// <summary>Column conversions shared by the stores.</summary>
internal static class Columns
{
    /// <summary>Fixed-width UTC round-trip text: sorts chronologically as a string.</summary>
    public static string Time(DateTime value) => value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    public static DateTime Time(SqliteDataReader reader, string column) =>
        DateTime.Parse(reader.GetString(reader.GetOrdinal(column)), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    public static string? Text(SqliteDataReader reader, string column)
    {
        var ordinal = reader.GetOrdinal(column);
        return reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
    }

    public static string RequiredText(SqliteDataReader reader, string column) => reader.GetString(reader.GetOrdinal(column));

    public static int? Int(SqliteDataReader reader, string column)
    {
        var ordinal = reader.GetOrdinal(column);
        return reader.IsDBNull(ordinal) ? null : reader.GetInt32(ordinal);
    }

    public static double? Real(SqliteDataReader reader, string column)
    {
        var ordinal = reader.GetOrdinal(column);
        return reader.IsDBNull(ordinal) ? null : reader.GetDouble(ordinal);
    }

    public static bool Bool(SqliteDataReader reader, string column) => reader.GetInt64(reader.GetOrdinal(column)) != 0;
}
