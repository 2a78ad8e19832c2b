using Humanloop.Server.Domain;
using Humanloop.Server.Http;
using System.Data.Common;

namespace Humanloop.Server.Storage;

internal sealed class ModelConfigStore(Database database, TimeProvider time)
{
    private const string SelectColumns = "id, project_id, body, created_at, updated_at";

    /// <summary>
    /// Registers a config to a project. Identical content (see <see cref="ModelConfigContent.ContentHash"/>)
    /// returns the existing config, as Humanloop deduplicated configs. <c>Created</c> says which happened;
    /// <c>FirstOfProject</c> is decided in the same transaction, so two concurrent first registrations
    /// cannot both miss it.
    /// </summary>
    public (ModelConfigRecord Config, bool Created, bool FirstOfProject) Register(string projectId, ModelConfigContent content)
    {
        try
        {
            return RegisterOnce(projectId, content);
        }
        catch (RecordConflictException)
        {
            // The same content was registered at the same time (by another replica): that one is the config.
            return RegisterOnce(projectId, content);
        }
    }

    private (ModelConfigRecord Config, bool Created, bool FirstOfProject) RegisterOnce(string projectId, ModelConfigContent content) => database.InTransaction(c =>
    {
        var hash = content.ContentHash();
        var existing = Select(c, "WHERE project_id = @project AND content_hash = @hash", ("@project", projectId), ("@hash", hash)).FirstOrDefault();
        if (existing is not null)
        {
            return (existing, false, false);
        }

        var first = Database.Scalar<int>(c, "SELECT COUNT(*) FROM model_configs WHERE project_id = @project", ("@project", projectId)) == 0;
        var now = time.GetUtcNow().UtcDateTime;
        var config = new ModelConfigRecord(Ids.New(Ids.Config), projectId, content, now, now);
        Database.Execute(c, "INSERT INTO model_configs (id, project_id, content_hash, body, created_at, updated_at) VALUES (@id, @project, @hash, @body, @now, @now)",
            ("@id", config.Id), ("@project", projectId), ("@hash", hash), ("@body", content.ToJson().ToJsonString()), ("@now", Columns.Time(now)));
        return (config, true, first);
    });

    /// <summary>The first registered config, of any project, whose content (see <see cref="ModelConfigContent.ContentHash"/>) is this.</summary>
    public ModelConfigRecord? FindByContent(ModelConfigContent content) => database.Run(c =>
        Select(c, "WHERE content_hash = @hash ORDER BY created_at, rowid LIMIT 1", ("@hash", content.ContentHash())).FirstOrDefault());

    public ModelConfigRecord? Get(string id) => database.Run(c => Select(c, "WHERE id = @id", ("@id", id)).FirstOrDefault());

    public ModelConfigRecord GetRequired(string id) => Get(id) ?? throw RecordNotFoundException.For("Model config", id);

    /// <summary>A config that exists and belongs to the project: what deployments and experiments may refer to.</summary>
    public ModelConfigRecord GetRequiredInProject(string id, string projectId) =>
        GetRequired(id) is { } config && config.ProjectId == projectId ? config
        : throw new RecordNotFoundException($"Model config {id} not found in project {projectId}");

    public IReadOnlyList<ModelConfigRecord> ListByProject(string projectId) =>
        database.Run(c => Select(c, "WHERE project_id = @project ORDER BY created_at, rowid", ("@project", projectId)));

    /// <summary>How many logs used the config in a project, and when it was last used (null if never).</summary>
    public (int Count, DateTime? LastUsed) Usage(string configId, string projectId) => database.Run(c =>
    {
        var rows = Database.Query(c, "SELECT COUNT(*) AS n, MAX(created_at) AS last FROM logs WHERE config_id = @config AND project_id = @project",
            r => (Columns.Int(r, "n") ?? 0, Columns.Text(r, "last")), ("@config", configId), ("@project", projectId));
        var (count, last) = rows[0];
        return (count, last is null ? (DateTime?)null : DateTime.Parse(last, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal));
    });

    private static List<ModelConfigRecord> Select(DbConnection c, string clause, params (string, object?)[] parameters) =>
        Database.Query(c, $"SELECT {SelectColumns} FROM model_configs {clause}", r => new ModelConfigRecord(
            Columns.RequiredText(r, "id"),
            Columns.RequiredText(r, "project_id"),
            ModelConfigContent.FromJson(Http.WireJson.ParseObject(Columns.RequiredText(r, "body"))),
            Columns.Time(r, "created_at"),
            Columns.Time(r, "updated_at")), parameters);
}
