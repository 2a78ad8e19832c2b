using System.Text.Json.Nodes;
using Humanloop.Server.Domain;
using Humanloop.Server.Http;
using System.Data.Common;

namespace Humanloop.Server.Storage;

/// <summary>
/// Sessions group logs, across projects. A caller's <c>session_reference_id</c> maps to one session per project;
/// <c>POST /sessions</c> makes one that belongs to no project until logs name it by id.
/// </summary>
internal sealed class SessionStore(Database database, TimeProvider time)
{
    private const string SelectColumns = "id, project_id, reference_id, created_at";

    public SessionRecord Create() => database.Run(c => Insert(c, null, null));

    public SessionRecord GetOrCreateByReference(string projectId, string referenceId)
    {
        SessionRecord? Find(DbConnection c) =>
            Select(c, "WHERE project_id = @project AND reference_id = @ref", ("@project", projectId), ("@ref", referenceId)).FirstOrDefault();
        try
        {
            return database.InTransaction(c => Find(c) ?? Insert(c, projectId, referenceId));
        }
        catch (RecordConflictException)
        {
            // A concurrent request (another replica) made the session between our look and our insert: use it.
            var winner = database.Run(Find);
            if (winner is null)
            {
                throw;
            }

            return winner;
        }
    }

    public SessionRecord? Get(string id) => database.Run(c => Select(c, "WHERE id = @id", ("@id", id)).FirstOrDefault());

    public SessionRecord GetRequired(string id) => Get(id) ?? throw RecordNotFoundException.For("Session", id);

    /// <summary>The session with what its logs say of it.</summary>
    public SessionSummary Summary(SessionRecord session) => database.Run(c => Summarise(c, session));

    /// <summary>
    /// One page (from 1) of the sessions that have a log in the project, newest first; a session made by a project's
    /// reference whose logs were all deleted is still listed there.
    /// </summary>
    public (IReadOnlyList<SessionSummary> Items, int Total) ListForProject(string projectId, int page, int size) => database.Run(c =>
    {
        const string Where = "WHERE project_id = @project OR id IN (SELECT session_id FROM logs WHERE project_id = @project AND session_id IS NOT NULL)";
        var total = Database.Scalar<int>(c, $"SELECT COUNT(*) FROM sessions {Where}", ("@project", projectId));
        var sessions = Select(c, $"{Where} ORDER BY created_at DESC, rowid DESC LIMIT @size OFFSET @offset",
            ("@project", projectId), ("@size", size), ("@offset", (long)(page - 1) * size));
        return ((IReadOnlyList<SessionSummary>)sessions.Select(s => Summarise(c, s)).ToList(), total);
    });

    private static SessionSummary Summarise(DbConnection c, SessionRecord session)
    {
        var count = Database.Scalar<int>(c, "SELECT COUNT(*) FROM logs WHERE session_id = @id", ("@id", session.Id));
        var projects = Database.Query(c, """
            SELECT p.id, p.name FROM projects p
            JOIN (SELECT project_id, MIN(seq) AS first FROM logs WHERE session_id = @id GROUP BY project_id) l ON l.project_id = p.id
            ORDER BY l.first
            """, r => (Columns.RequiredText(r, "id"), Columns.RequiredText(r, "name")), ("@id", session.Id));
        var firstInputs = Database.Query(c, "SELECT inputs FROM logs WHERE session_id = @id ORDER BY created_at, seq LIMIT 1",
            r => WireJson.ParseObject(Columns.RequiredText(r, "inputs")), ("@id", session.Id)).FirstOrDefault();
        var last = Database.Query(c, "SELECT output FROM logs WHERE session_id = @id ORDER BY created_at DESC, seq DESC LIMIT 1",
            r => Columns.Text(r, "output"), ("@id", session.Id));
        var lastChange = Database.Scalar<string>(c, "SELECT MAX(updated_at) FROM logs WHERE session_id = @id", ("@id", session.Id));
        var updatedAt = lastChange is null ? session.CreatedAt : Max(session.CreatedAt, ParseTime(lastChange));
        return new SessionSummary(session, count, projects, firstInputs, last.FirstOrDefault(), updatedAt);
    }

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;

    private static DateTime ParseTime(string text) => DateTime.Parse(text, System.Globalization.CultureInfo.InvariantCulture,
        System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);

    private SessionRecord Insert(DbConnection c, string? projectId, string? referenceId)
    {
        var session = new SessionRecord(Ids.New(Ids.Session), projectId, referenceId, time.GetUtcNow().UtcDateTime);
        Database.Execute(c, "INSERT INTO sessions (id, project_id, reference_id, created_at) VALUES (@id, @project, @ref, @created)",
            ("@id", session.Id), ("@project", projectId), ("@ref", referenceId), ("@created", Columns.Time(session.CreatedAt)));
        return session;
    }

    private static List<SessionRecord> Select(DbConnection c, string clause, params (string, object?)[] parameters) =>
        Database.Query(c, $"SELECT {SelectColumns} FROM sessions {clause}", r => new SessionRecord(
            Columns.RequiredText(r, "id"), Columns.Text(r, "project_id"), Columns.Text(r, "reference_id"), Columns.Time(r, "created_at")), parameters);
}
