using Humanloop.Server.Storage;

namespace Humanloop.Server.Observability;

/// <summary>
/// Whether the server can serve: its database answers and its schema is the one this server writes (migrations
/// applied). The check runs through the database's own statement runner, so it waits its turn like any request.
/// It reads SQLite's <c>user_version</c>, where <see cref="Schema"/> records its version: when the storage seam
/// answers readiness itself (one engine or another), this class asks it instead.
/// </summary>
internal sealed class Readiness(Database database)
{
    public bool IsReady(out string reason)
    {
        try
        {
            var version = database.Run(connection => Database.Scalar<long>(connection, "PRAGMA user_version;"));
            if (version != Schema.Version)
            {
                reason = $"the database schema is version {version}; this server needs {Schema.Version}";
                return false;
            }

            reason = "ok";
            return true;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException or System.Data.Common.DbException)
        {
            reason = $"the database does not answer: {ex.GetType().Name}";
            return false;
        }
    }
}
