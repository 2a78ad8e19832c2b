using System.Data.Common;

namespace Humanloop.Server.Storage;

/// <summary>
/// Copies an SQLite data folder into an empty PostgreSQL database (<c>Humanloop.Server migrate --from … --to …</c>):
/// every table, row for row, with the ids, times and order the folder had, in one transaction, so a failed copy
/// leaves the target as empty as it was. The folder is opened as a server would open it (its lock refuses a server
/// still running on it, and an older folder is upgraded to this server's schema first).
/// </summary>
internal static class SqliteToPostgres
{
    /// <summary>Copies; returns the rows copied per table, in copy order.</summary>
    /// <exception cref="InvalidOperationException">The target already holds data.</exception>
    public static IReadOnlyList<(string Table, int Rows)> Copy(string folder, string connectionString)
    {
        if (!File.Exists(Path.Combine(folder, Database.FileName)))
        {
            throw new InvalidOperationException($"'{folder}' is not a server data folder: it has no {Database.FileName}.");
        }

        using var source = Database.OpenFile(folder);
        using var target = Database.OpenPostgres(connectionString);
        return target.InTransaction(to =>
        {
            var occupied = Schema.Tables.FirstOrDefault(table => Database.Scalar<long>(to, $"SELECT COUNT(*) FROM {table}") > 0);
            if (occupied is not null)
            {
                throw new InvalidOperationException($"The target database is not empty (table {occupied} has rows): migrate copies into an empty database only.");
            }

            var copied = new List<(string, int)>();
            foreach (var table in Schema.Tables)
            {
                copied.Add((table, source.Run(from => CopyTable(from, to, table))));
            }

            // The identity columns continue after the copied values, so new rows sort after the old ones.
            foreach (var (table, column) in IdentityColumns())
            {
                Database.Scalar<long>(to, $"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)");
            }

            return (IReadOnlyList<(string, int)>)copied;
        });
    }

    private static int CopyTable(DbConnection from, DbConnection to, string table)
    {
        var columns = Database.Query(from, $"SELECT name FROM pragma_table_info('{table}') ORDER BY cid", r => r.GetString(0));
        if (Schema.TablesWithRowid.Contains(table))
        {
            columns.Insert(0, "rowid");
        }

        var quoted = string.Join(", ", columns.Select(c => $"\"{c}\""));
        var placeholders = string.Join(", ", columns.Select((_, i) => $"@p{i}"));
        var insert = $"INSERT INTO {table} ({quoted}) VALUES ({placeholders})";
        var rows = Database.Query(from, $"SELECT {quoted} FROM {table} ORDER BY rowid", r =>
        {
            var values = new object?[columns.Count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = r.IsDBNull(i) ? null : r.GetValue(i);
            }

            return values;
        });
        foreach (var row in rows)
        {
            Database.Execute(to, insert, row.Select((value, i) => ($"@p{i}", value)).ToArray());
        }

        return rows.Count;
    }

    private static IEnumerable<(string Table, string Column)> IdentityColumns() =>
        Schema.TablesWithRowid.Select(t => (t, "rowid")).Concat(Schema.TablesWithSeq.Select(t => (t, "seq")));
}
