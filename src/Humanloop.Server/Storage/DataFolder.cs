using Npgsql;

namespace Humanloop.Server.Storage;

/// <summary>
/// The SQLite data folder's rules: only its owner may read it (folder 0700, files 0600), and one server process uses
/// it at a time. SQLite itself would let two processes share the file, but this server keeps per-process state next
/// to it (one serialised connection, evaluation runs it marks interrupted at start), so a second process is refused
/// with a message that says what to do instead.
/// </summary>
internal static class DataFolder
{
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the folder (owner-only) if needed and takes its lock, held until the returned stream is disposed.</summary>
    /// <exception cref="IOException">Another process holds the lock.</exception>
    public static FileStream Lock(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else if (!Directory.Exists(folder))
        {
            Directory.CreateDirectory(folder, OwnerOnlyFolder);
        }

        var path = Path.Combine(folder, Database.LockFileName);
        try
        {
            // FileShare.None is an exclusive lock on every platform .NET runs on (flock on Linux and macOS).
            var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerOnlyFile;
            }

            return new FileStream(path, options);
        }
        catch (IOException held)
        {
            throw new IOException(
                $"the data folder '{folder}' is in use by another Humanloop server process. One process serves an SQLite folder: " +
                "stop the other server, give this one its own --data folder, or run several servers on one PostgreSQL database (--database).", held);
        }
    }

    /// <summary>Creates an empty file readable only by its owner, unless it exists (then <see cref="RestrictFiles"/> tightens it).</summary>
    public static void CreatePrivateFile(string path)
    {
        if (OperatingSystem.IsWindows() || File.Exists(path))
        {
            return;
        }

        using var _ = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnlyFile });
    }

    /// <summary>Makes the database and its journal files (written by an older server, or copied in) owner-only.</summary>
    public static void RestrictFiles(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
        {
            var path = Path.Combine(folder, Database.FileName + suffix);
            if (File.Exists(path) && (File.GetUnixFileMode(path) & ~OwnerOnlyFile) != 0)
            {
                File.SetUnixFileMode(path, OwnerOnlyFile);
            }
        }
    }
}

/// <summary>
/// What <c>--database</c> accepts: a PostgreSQL connection string in Npgsql's keyword form
/// (<c>Host=db;Database=humanloop;Username=hl;Password=…</c>) or a <c>postgres://user:password@host:port/database</c> URI.
/// </summary>
internal static class PostgresConnectionString
{
    /// <summary>The keyword form of either spelling.</summary>
    /// <param name="text">The connection string.</param>
    /// <param name="source">Where it came from, named in the error (the flag).</param>
    /// <exception cref="ArgumentException">Neither form, with what was wrong.</exception>
    public static string Normalise(string text, string source = "--database")
    {
        var trimmed = text.Trim();
        if (trimmed.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            {
                throw new ArgumentException($"{source}: the PostgreSQL URI has no host (expected postgres://user:password@host:port/database).");
            }

            var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host };
            if (uri.Port > 0)
            {
                builder.Port = uri.Port;
            }

            var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
            if (database.Length > 0)
            {
                builder.Database = database;
            }

            if (uri.UserInfo.Length > 0)
            {
                var parts = uri.UserInfo.Split(':', 2);
                builder.Username = Uri.UnescapeDataString(parts[0]);
                if (parts.Length == 2)
                {
                    builder.Password = Uri.UnescapeDataString(parts[1]);
                }
            }

            return builder.ConnectionString;
        }

        NpgsqlConnectionStringBuilder parsed;
        try
        {
            parsed = new NpgsqlConnectionStringBuilder(trimmed);
        }
        catch (Exception invalid) when (invalid is ArgumentException or FormatException or KeyNotFoundException)
        {
            throw new ArgumentException($"{source}: not a PostgreSQL connection string ({invalid.Message}). Expected e.g. Host=localhost;Database=humanloop;Username=hl;Password=….");
        }

        if (string.IsNullOrEmpty(parsed.Host))
        {
            throw new ArgumentException($"{source}: the connection string names no Host (expected e.g. Host=localhost;Database=humanloop;Username=hl).");
        }

        return parsed.ConnectionString;
    }

    /// <summary>For the startup line: where, never the password.</summary>
    public static string Describe(NpgsqlConnectionStringBuilder builder) =>
        $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database ?? builder.Username}" + (string.IsNullOrEmpty(builder.SearchPath) ? "" : $" (schema {builder.SearchPath})");
}
