using Humanloop.Server.Domain;
using System.Data.Common;

namespace Humanloop.Server.Storage;

/// <summary>Tool configs of posted logs, registered to a project and deduplicated by content as model configs are.</summary>
internal sealed class ToolConfigStore(Database database, TimeProvider time)
{
    public ToolConfigRecord Register(string projectId, ToolConfigContent content) => database.InTransaction(c =>
    {
        var hash = content.ContentHash();
        if (Select(c, "WHERE project_id = @project AND content_hash = @hash", ("@project", projectId), ("@hash", hash)).FirstOrDefault() is { } existing)
        {
            return existing;
        }

        var now = time.GetUtcNow().UtcDateTime;
        var config = new ToolConfigRecord(Ids.New(Ids.ToolConfig), projectId, content, now, now);
        Database.Execute(c, "INSERT INTO tool_configs (id, project_id, content_hash, body, created_at, updated_at) VALUES (@id, @project, @hash, @body, @now, @now)",
            ("@id", config.Id), ("@project", projectId), ("@hash", hash), ("@body", content.ToJson().ToJsonString()), ("@now", Columns.Time(now)));
        return config;
    });

    public ToolConfigRecord? Get(string id) => database.Run(c => Select(c, "WHERE id = @id", ("@id", id)).FirstOrDefault());

    private static List<ToolConfigRecord> Select(DbConnection c, string clause, params (string, object?)[] parameters) =>
        Database.Query(c, $"SELECT id, project_id, body, created_at, updated_at FROM tool_configs {clause}", r => new ToolConfigRecord(
            Columns.RequiredText(r, "id"),
            Columns.RequiredText(r, "project_id"),
            ToolConfigContent.FromJson(Http.WireJson.ParseObject(Columns.RequiredText(r, "body"))),
            Columns.Time(r, "created_at"),
            Columns.Time(r, "updated_at")), parameters);
}
