using Humanloop.Server.Domain;

namespace Humanloop.Server.Storage;

/// <summary>Sessions group logs; a caller's <c>session_reference_id</c> maps to one session per project.</summary>
internal sealed class SessionStore(Database database, TimeProvider time)
{
    public SessionRecord GetOrCreateByReference(string projectId, string referenceId) => database.InTransaction(c =>
    {
        var existing = Database.Query(c, "SELECT id, created_at FROM sessions WHERE project_id = @project AND reference_id = @ref",
            r => new SessionRecord(Columns.RequiredText(r, "id"), projectId, referenceId, Columns.Time(r, "created_at")),
            ("@project", projectId), ("@ref", referenceId)).FirstOrDefault();
        return existing ?? Insert(c, projectId, referenceId);
    });

    public SessionRecord GetRequired(string id) => database.Run(c =>
        Database.Query(c, "SELECT id, project_id, reference_id, created_at FROM sessions WHERE id = @id",
            r => new SessionRecord(Columns.RequiredText(r, "id"), Columns.RequiredText(r, "project_id"), Columns.Text(r, "reference_id"), Columns.Time(r, "created_at")),
            ("@id", id)).FirstOrDefault()) ?? throw RecordNotFoundException.For("Session", id);

    private SessionRecord Insert(Microsoft.Data.Sqlite.SqliteConnection c, string projectId, string? referenceId)
    {
        var session = new SessionRecord(Ids.New(Ids.Session), projectId, referenceId, time.GetUtcNow().UtcDateTime);
        Database.Execute(c, "INSERT INTO sessions (id, project_id, reference_id, created_at) VALUES (@id, @project, @ref, @created)",
            ("@id", session.Id), ("@project", projectId), ("@ref", referenceId), ("@created", Columns.Time(session.CreatedAt)));
        return session;
    }
}
