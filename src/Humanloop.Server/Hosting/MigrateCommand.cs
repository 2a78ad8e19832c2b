using Humanloop.Server.Storage;

namespace Humanloop.Server.Hosting;

/// <summary><c>Humanloop.Server migrate --from &lt;folder&gt; --to &lt;connection&gt;</c>: copies an SQLite data folder into PostgreSQL.</summary>
internal static class MigrateCommand
{
    public const string Name = "migrate";

    /// <summary>Runs the command; returns the process exit code (0 copied, 1 failed, 2 bad arguments).</summary>
    public static int Run(IReadOnlyList<string> args, Func<string, string?> environment, TextWriter output, TextWriter error)
    {
        string? from = null;
        string? to = NullIfEmpty(environment("HUMANLOOP_SERVER_DATABASE"));
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            var value = i + 1 < args.Count ? args[++i] : null;
            switch (name)
            {
                case "--from" when value is not null:
                    from = value;
                    break;
                case "--to" when value is not null:
                    to = value;
                    break;
                default:
                    error.WriteLine(value is null && name is "--from" or "--to" ? $"{name} needs a value." : $"Unknown option '{name}' for migrate.");
                    return 2;
            }
        }

        if (from is null || to is null)
        {
            error.WriteLine("migrate needs --from <SQLite data folder> and --to <PostgreSQL connection string> (or HUMANLOOP_SERVER_DATABASE).");
            return 2;
        }

        try
        {
            PostgresConnectionString.Normalise(to, "--to");
        }
        catch (ArgumentException invalid)
        {
            error.WriteLine(invalid.Message);
            return 2;
        }

        try
        {
            var copied = SqliteToPostgres.Copy(from, to);
            foreach (var (table, rows) in copied)
            {
                output.WriteLine($"{table}: {rows} row(s)");
            }

            output.WriteLine($"Copied {copied.Sum(c => c.Rows)} row(s) from {Path.GetFullPath(from)} into PostgreSQL.");
            return 0;
        }
        catch (Exception failure) when (failure is IOException or InvalidOperationException or System.Data.Common.DbException)
        {
            error.WriteLine($"migrate failed, nothing was copied: {failure.Message}");
            return 1;
        }
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
