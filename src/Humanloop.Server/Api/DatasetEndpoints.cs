using System.Text.Json;
using System.Text.Json.Nodes;
using Humanloop.Server.Domain;
using Humanloop.Server.Http;
using Humanloop.Server.Storage;

namespace Humanloop.Server.Api;

/// <summary>The Datasets and Datapoints groups of the 2024-07-12 spec.</summary>
internal static class DatasetEndpoints
{
    private const int NameLength = 255;

    public static void MapDatasetEndpoints(this IEndpointRouteBuilder v4)
    {
        v4.MapGet("/projects/{projectId}/datasets", (string projectId, ProjectStore projects, DatasetStore datasets) =>
        {
            var project = projects.GetRequired(projectId);
            return WireResults.Json(datasets.ListByProject(project.Id).Select(Dataset).ToList());
        });

        v4.MapPost("/projects/{projectId}/datasets", async (string projectId, HttpContext context, ProjectStore projects, DatasetStore datasets) =>
        {
            var body = await RequestBody.ReadObjectAsync(context.Request, new ValidationErrors(), context.RequestAborted);
            var name = body.String("name", required: true, maxLength: NameLength);
            // Required by the spec; a missing description is taken as empty rather than refused.
            var description = body.String("description", maxLength: NameLength) ?? "";
            body.Errors.ThrowIfAny();
            var project = projects.GetRequired(projectId);
            return WireResults.Json(Dataset(datasets.Create(project.Id, name!, description)), StatusCodes.Status201Created);
        });

        // The spec lists every dataset in one array (no paging).
        v4.MapGet("/datasets", (DatasetStore datasets) => WireResults.Json(datasets.ListAll().Select(Dataset).ToList()));

        v4.MapGet("/datasets/{id}", (string id, DatasetStore datasets) => WireResults.Json(Dataset(datasets.GetRequired(id))));

        v4.MapPatch("/datasets/{id}", async (string id, HttpContext context, DatasetStore datasets) =>
        {
            var body = await RequestBody.ReadObjectAsync(context.Request, new ValidationErrors(), context.RequestAborted);
            var name = body.String("name", maxLength: NameLength);
            var description = body.String("description", maxLength: NameLength);
            body.Errors.ThrowIfAny();
            return WireResults.Json(Dataset(datasets.Update(id, name, description)));
        });

        // The spec answers 200 with an unspecified body: here, the dataset as it was.
        v4.MapDelete("/datasets/{id}", (string id, DatasetStore datasets) =>
            WireResults.Json(Dataset(datasets.Delete(id) ?? throw ApiException.NotFound("Dataset", id))));

        v4.MapGet("/datasets/{datasetId}/datapoints", (string datasetId, HttpContext context, DatasetStore datasets) =>
        {
            var query = new QueryReader(context, new ValidationErrors());
            var page = query.Int("page", 0, minimum: 0);
            var size = query.PageSize(50);
            query.Errors.ThrowIfAny();
            var dataset = datasets.GetRequired(datasetId);
            var (items, total) = datasets.ListDatapoints(dataset.Id, page, size);
            return WireResults.Json(new PageResponse<DatapointResponse>(items.Select(Datapoint).ToList(), page, size, total));
        });

        v4.MapPost("/datasets/{datasetId}/datapoints", async (string datasetId, HttpContext context, DatasetStore datasets, LogStore logs) =>
        {
            var node = await RequestBody.ReadAsync(context.Request, context.RequestAborted);
            var errors = new ValidationErrors();
            var contents = node switch
            {
                JsonArray array => ReadDatapointList(array, errors),
                JsonObject obj when obj.ContainsKey("log_ids") => FromLogs(new FieldReader(obj, RequestBody.BodyLocation, errors), logs),
                JsonObject obj => [ReadDatapoint(new FieldReader(obj, RequestBody.BodyLocation, errors))],
                _ => throw ValidationErrors.Single(RequestBody.BodyLocation, "value is not a valid dict", "type_error.dict"),
            };
            errors.ThrowIfAny();
            var added = datasets.AddDatapoints(datasetId, contents);
            return WireResults.Json(added.Select(Datapoint).ToList(), StatusCodes.Status201Created);
        });

        v4.MapGet("/datapoints/{id}", (string id, DatasetStore datasets) => WireResults.Json(Datapoint(datasets.GetDatapointRequired(id))));

        v4.MapPatch("/datapoints/{id}", async (string id, HttpContext context, DatasetStore datasets) =>
        {
            var body = await RequestBody.ReadObjectAsync(context.Request, new ValidationErrors(), context.RequestAborted);
            var inputs = body.StringMap("inputs");
            ChatMessageReader.ReadList(body, "messages");
            var target = body.JsonObject("target");
            body.Errors.ThrowIfAny();
            var updated = datasets.UpdateDatapoint(id, (JsonObject?)inputs?.DeepClone(), (JsonArray?)body.Object["messages"]?.DeepClone(), (JsonObject?)target?.DeepClone());
            return WireResults.Json(Datapoint(updated));
        });

        v4.MapDelete("/datapoints", async (HttpContext context, DatasetStore datasets) =>
        {
            var ids = await ReadIdsAsync(context);
            datasets.DeleteDatapoints(ids);
            return WireResults.NoContent();
        });
    }

    public static DatasetResponse Dataset(DatasetRecord d) => new(d.Id, d.ProjectId, d.Name, d.Description, d.DatapointCount, d.CreatedAt, d.UpdatedAt);

    public static DatapointResponse Datapoint(DatapointRecord d) =>
        new(d.Id, d.DatasetId, (JsonObject)d.Inputs.DeepClone(), (JsonArray)d.Messages.DeepClone(), (JsonObject)d.Target.DeepClone());

    private static List<DatapointContent> ReadDatapointList(JsonArray array, ValidationErrors errors)
    {
        var contents = new List<DatapointContent>();
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is JsonObject obj)
            {
                contents.Add(ReadDatapoint(new FieldReader(obj, ["body", i], errors)));
            }
            else
            {
                errors.Add(["body", i], "value is not a valid dict", "type_error.dict");
            }
        }

        return contents;
    }

    /// <summary>A <c>CreateDatapointRequest</c>; every field may be left out (empty inputs, no messages, no target).</summary>
    private static DatapointContent ReadDatapoint(FieldReader item)
    {
        var inputs = item.StringMap("inputs");
        ChatMessageReader.ReadList(item, "messages");
        var target = item.JsonObject("target");
        return new DatapointContent(
            (JsonObject?)inputs?.DeepClone() ?? [],
            item.Object["messages"] is JsonArray messages ? (JsonArray)messages.DeepClone() : [],
            (JsonObject?)target?.DeepClone() ?? []);
    }

    /// <summary>
    /// A <c>CreateDatapointsByLogsRequest</c>: one datapoint per log, with the log's inputs (values
    /// that are not strings become their JSON text) and messages, and no target.
    /// </summary>
    private static List<DatapointContent> FromLogs(FieldReader body, LogStore logs)
    {
        var logIds = body.StringList("log_ids", required: true);
        body.Errors.ThrowIfAny();
        return logIds!.Select(id =>
        {
            var log = logs.GetRequired(id);
            var inputs = new JsonObject();
            foreach (var (key, value) in log.Inputs)
            {
                inputs[key] = value is JsonValue text && text.GetValueKind() == JsonValueKind.String ? text.GetValue<string>() : value?.ToJsonString() ?? "null";
            }

            return new DatapointContent(inputs, (JsonArray?)log.Messages?.DeepClone() ?? [], []);
        }).ToList();
    }

    /// <summary>
    /// The ids of <c>DELETE /datapoints</c>: the SDK sends them as a JSON array body; clients that cannot
    /// send a body on DELETE may give them as repeated <c>id</c> query parameters instead.
    /// </summary>
    private static async Task<IReadOnlyList<string>> ReadIdsAsync(HttpContext context)
    {
        if (context.Request.Query.TryGetValue("id", out var fromQuery) && fromQuery.Count > 0)
        {
            return fromQuery.OfType<string>().ToList();
        }

        return RequestBody.IdArray(await RequestBody.ReadAsync(context.Request, context.RequestAborted));
    }
}
