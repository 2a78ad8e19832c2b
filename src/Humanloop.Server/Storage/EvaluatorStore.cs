using System.Text.Json.Nodes;
using Humanloop.Server.Domain;
using System.Data.Common;

namespace Humanloop.Server.Storage;

/// <summary>Evaluators of the organisation (they belong to no project), oldest first.</summary>
internal sealed class EvaluatorStore(Database database, TimeProvider time)
{
    public EvaluatorRecord Create(EvaluatorRecord evaluator) => database.Run(c =>
    {
        var now = time.GetUtcNow().UtcDateTime;
        var created = evaluator with { Id = Ids.New(Ids.Evaluator), CreatedAt = now, UpdatedAt = now };
        Database.Execute(c, """
            INSERT INTO evaluators (id, name, description, type, arguments_type, return_type, code, model_config_id, model_config, created_at, updated_at)
            VALUES (@id, @name, @description, @type, @arguments, @return, @code, @configId, @config, @now, @now)
            """,
            [.. Parameters(created), ("@now", Columns.Time(now))]);
        return created;
    });

    public EvaluatorRecord? Get(string id) => database.Run(c => Select(c, "WHERE id = @id", ("@id", id)).FirstOrDefault());

    public EvaluatorRecord GetRequired(string id) => Get(id) ?? throw RecordNotFoundException.For("Evaluator", id);

    public IReadOnlyList<EvaluatorRecord> List() => database.Run(c => Select(c, "ORDER BY seq"));

    /// <summary>Writes the evaluator's fields as given (the caller merged the change into the stored record).</summary>
    public EvaluatorRecord Update(EvaluatorRecord evaluator) => database.Run(c =>
    {
        var updated = evaluator with { UpdatedAt = time.GetUtcNow().UtcDateTime };
        var changed = Database.Execute(c, """
            UPDATE evaluators SET name = @name, description = @description, type = @type, arguments_type = @arguments, return_type = @return,
                code = @code, model_config_id = @configId, model_config = @config, updated_at = @now
            WHERE id = @id
            """,
            [.. Parameters(updated), ("@now", Columns.Time(updated.UpdatedAt))]);
        return changed > 0 ? updated : throw RecordNotFoundException.For("Evaluator", evaluator.Id);
    });

    public bool Delete(string id) => database.Run(c => Database.Execute(c, "DELETE FROM evaluators WHERE id = @id", ("@id", id)) > 0);

    private static (string, object?)[] Parameters(EvaluatorRecord e) =>
    [
        ("@id", e.Id), ("@name", e.Name), ("@description", e.Description), ("@type", e.Type), ("@arguments", e.ArgumentsType),
        ("@return", e.ReturnType), ("@code", e.Code), ("@configId", e.ModelConfigId), ("@config", e.ModelConfig?.ToJson().ToJsonString()),
    ];

    private static List<EvaluatorRecord> Select(DbConnection c, string clause, params (string, object?)[] parameters) =>
        Database.Query(c, $"SELECT id, name, description, type, arguments_type, return_type, code, model_config_id, model_config, created_at, updated_at FROM evaluators {clause}",
            r => new EvaluatorRecord
            {
                Id = Columns.RequiredText(r, "id"),
                Name = Columns.RequiredText(r, "name"),
                Description = Columns.RequiredText(r, "description"),
                Type = Columns.RequiredText(r, "type"),
                ArgumentsType = Columns.RequiredText(r, "arguments_type"),
                ReturnType = Columns.RequiredText(r, "return_type"),
                Code = Columns.Text(r, "code"),
                ModelConfigId = Columns.Text(r, "model_config_id"),
                ModelConfig = Columns.Text(r, "model_config") is { } json ? ModelConfigContent.FromJson(JsonNode.Parse(json)!.AsObject()) : null,
                CreatedAt = Columns.Time(r, "created_at"),
                UpdatedAt = Columns.Time(r, "updated_at"),
            }, parameters);
}
