using System.Text.Json.Nodes;
using Humanloop.Server.Domain;
using System.Data.Common;

namespace Humanloop.Server.Storage;

/// <summary>A datapoint's content before it has an id: what a create request or a log gives.</summary>
internal sealed record DatapointContent(JsonObject Inputs, JsonArray Messages, JsonObject Target);

/// <summary>Datasets of a project and their datapoints, kept in the order they were added.</summary>
internal sealed class DatasetStore(Database database, TimeProvider time)
{
    private const string DatasetColumns = """
        d.id, d.project_id, d.name, d.description, d.created_at, d.updated_at,
        (SELECT COUNT(*) FROM datapoints p WHERE p.dataset_id = d.id) AS datapoint_count
        """;

    public DatasetRecord Create(string projectId, string name, string description) => database.Run(c =>
    {
        var now = time.GetUtcNow().UtcDateTime;
        var dataset = new DatasetRecord(Ids.New(Ids.Dataset), projectId, name, description, 0, now, now);
        Database.Execute(c, "INSERT INTO datasets (id, project_id, name, description, created_at, updated_at) VALUES (@id, @project, @name, @description, @now, @now)",
            ("@id", dataset.Id), ("@project", projectId), ("@name", name), ("@description", description), ("@now", Columns.Time(now)));
        return dataset;
    });

    public DatasetRecord? Get(string id) => database.Run(c => SelectDatasets(c, "WHERE d.id = @id", ("@id", id)).FirstOrDefault());

    public DatasetRecord GetRequired(string id) => Get(id) ?? throw RecordNotFoundException.For("Dataset", id);

    public IReadOnlyList<DatasetRecord> ListByProject(string projectId) =>
        database.Run(c => SelectDatasets(c, "WHERE d.project_id = @project ORDER BY d.created_at, d.rowid", ("@project", projectId)));

    public IReadOnlyList<DatasetRecord> ListAll() => database.Run(c => SelectDatasets(c, "ORDER BY d.created_at, d.rowid"));

    public DatasetRecord Update(string id, string? name, string? description) => database.InTransaction(c =>
    {
        var dataset = SelectDatasets(c, "WHERE d.id = @id", ("@id", id)).FirstOrDefault() ?? throw RecordNotFoundException.For("Dataset", id);
        var updated = dataset with { Name = name ?? dataset.Name, Description = description ?? dataset.Description, UpdatedAt = time.GetUtcNow().UtcDateTime };
        Database.Execute(c, "UPDATE datasets SET name = @name, description = @description, updated_at = @now WHERE id = @id",
            ("@id", id), ("@name", updated.Name), ("@description", updated.Description), ("@now", Columns.Time(updated.UpdatedAt)));
        return updated;
    });

    /// <summary>Deletes the dataset and its datapoints; returns what was deleted, or null when there was no such dataset.</summary>
    public DatasetRecord? Delete(string id) => database.InTransaction(c =>
    {
        var dataset = SelectDatasets(c, "WHERE d.id = @id", ("@id", id)).FirstOrDefault();
        if (dataset is not null)
        {
            Database.Execute(c, "DELETE FROM datasets WHERE id = @id", ("@id", id));
        }

        return dataset;
    });

    /// <summary>Adds datapoints at the end of the dataset, all or none.</summary>
    public IReadOnlyList<DatapointRecord> AddDatapoints(string datasetId, IReadOnlyList<DatapointContent> contents) => database.InTransaction(c =>
    {
        if (SelectDatasets(c, "WHERE d.id = @id", ("@id", datasetId)).Count == 0)
        {
            throw RecordNotFoundException.For("Dataset", datasetId);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var added = new List<DatapointRecord>();
        foreach (var content in contents)
        {
            var datapoint = new DatapointRecord(Ids.New(Ids.Datapoint), datasetId, content.Inputs, content.Messages, content.Target, now, now);
            Database.Execute(c, """
                INSERT INTO datapoints (id, dataset_id, inputs, messages, target, created_at, updated_at)
                VALUES (@id, @dataset, @inputs, @messages, @target, @now, @now)
                """,
                ("@id", datapoint.Id), ("@dataset", datasetId), ("@inputs", content.Inputs.ToJsonString()),
                ("@messages", content.Messages.ToJsonString()), ("@target", content.Target.ToJsonString()), ("@now", Columns.Time(now)));
            added.Add(datapoint);
        }

        Database.Execute(c, "UPDATE datasets SET updated_at = @now WHERE id = @id", ("@id", datasetId), ("@now", Columns.Time(now)));
        return (IReadOnlyList<DatapointRecord>)added;
    });

    public (IReadOnlyList<DatapointRecord> Items, int Total) ListDatapoints(string datasetId, int page, int size) => database.Run(c =>
    {
        var total = Database.Scalar<int>(c, "SELECT COUNT(*) FROM datapoints WHERE dataset_id = @dataset", ("@dataset", datasetId));
        var items = SelectDatapoints(c, "WHERE dataset_id = @dataset ORDER BY seq LIMIT @size OFFSET @offset",
            ("@dataset", datasetId), ("@size", size), ("@offset", (long)page * size));
        return ((IReadOnlyList<DatapointRecord>)items, total);
    });

    public DatapointRecord GetDatapointRequired(string id) =>
        database.Run(c => SelectDatapoints(c, "WHERE id = @id", ("@id", id)).FirstOrDefault()) ?? throw RecordNotFoundException.For("Datapoint", id);

    /// <summary>Replaces the fields given (null leaves a field as it is).</summary>
    public DatapointRecord UpdateDatapoint(string id, JsonObject? inputs, JsonArray? messages, JsonObject? target) => database.InTransaction(c =>
    {
        var datapoint = SelectDatapoints(c, "WHERE id = @id", ("@id", id)).FirstOrDefault() ?? throw RecordNotFoundException.For("Datapoint", id);
        var updated = datapoint with
        {
            Inputs = inputs ?? datapoint.Inputs,
            Messages = messages ?? datapoint.Messages,
            Target = target ?? datapoint.Target,
            UpdatedAt = time.GetUtcNow().UtcDateTime,
        };
        Database.Execute(c, "UPDATE datapoints SET inputs = @inputs, messages = @messages, target = @target, updated_at = @now WHERE id = @id",
            ("@id", id), ("@inputs", updated.Inputs.ToJsonString()), ("@messages", updated.Messages.ToJsonString()),
            ("@target", updated.Target.ToJsonString()), ("@now", Columns.Time(updated.UpdatedAt)));
        return updated;
    });

    /// <summary>Deletes the datapoints; when any id is unknown nothing is deleted and the first unknown one is reported.</summary>
    public void DeleteDatapoints(IReadOnlyList<string> ids) => database.InTransaction(c =>
    {
        foreach (var id in ids)
        {
            if (Database.Scalar<int>(c, "SELECT COUNT(*) FROM datapoints WHERE id = @id", ("@id", id)) == 0)
            {
                throw RecordNotFoundException.For("Datapoint", id);
            }
        }

        foreach (var id in ids)
        {
            Database.Execute(c, "DELETE FROM datapoints WHERE id = @id", ("@id", id));
        }
    });

    private static List<DatasetRecord> SelectDatasets(DbConnection c, string clause, params (string, object?)[] parameters) =>
        Database.Query(c, $"SELECT {DatasetColumns} FROM datasets d {clause}", r => new DatasetRecord(
            Columns.RequiredText(r, "id"),
            Columns.RequiredText(r, "project_id"),
            Columns.RequiredText(r, "name"),
            Columns.RequiredText(r, "description"),
            Columns.Int(r, "datapoint_count") ?? 0,
            Columns.Time(r, "created_at"),
            Columns.Time(r, "updated_at")), parameters);

    private static List<DatapointRecord> SelectDatapoints(DbConnection c, string clause, params (string, object?)[] parameters) =>
        Database.Query(c, $"SELECT id, dataset_id, inputs, messages, target, created_at, updated_at FROM datapoints {clause}", r => new DatapointRecord(
            Columns.RequiredText(r, "id"),
            Columns.RequiredText(r, "dataset_id"),
            JsonNode.Parse(Columns.RequiredText(r, "inputs"))!.AsObject(),
            JsonNode.Parse(Columns.RequiredText(r, "messages"))!.AsArray(),
            JsonNode.Parse(Columns.RequiredText(r, "target"))!.AsObject(),
            Columns.Time(r, "created_at"),
            Columns.Time(r, "updated_at")), parameters);
}
