using System.Text.Json;
using System.Text.Json.Nodes;
using Humanloop.Server.Evaluations;
using Humanloop.Server.Http;
using Humanloop.Server.Storage;

namespace Humanloop.Server.Api;

/// <summary>Logs (listed, read, written for calls made elsewhere, updated, deleted) and feedback on them.</summary>
internal static class LogEndpoints
{
    public static void MapLogEndpoints(this IEndpointRouteBuilder v4)
    {
        v4.MapGet("/logs", (HttpContext context, ProjectStore projects, SessionStore sessions, LogStore logs, ResponseBuilder responses) =>
        {
            var query = new QueryReader(context, new ValidationErrors());
            // session_id is an extension: a session's logs, of every project unless project_id narrows them.
            var sessionId = query.String("session_id");
            var projectId = query.String("project_id", required: sessionId is null);
            var search = query.String("search");
            var start = query.DateOrDateTime("start_date", endOfRange: false);
            var end = query.DateOrDateTime("end_date", endOfRange: true);
            var page = query.Int("page", 0, minimum: 0);
            var size = query.PageSize(50);
            query.Errors.ThrowIfAny();

            var project = projectId is null ? null : projects.GetRequired(projectId);
            var session = sessionId is null ? null : sessions.GetRequired(sessionId);
            var (items, total) = logs.List(project?.Id, search, start, end, page, size, session?.Id);
            return WireResults.Json(new PageResponse<LogResponse>(items.Select(l => responses.Log(l, project)).ToList(), page, size, total));
        });

        v4.MapGet("/logs/{id}", (string id, LogStore logs, ResponseBuilder responses) => WireResults.Json(responses.Log(logs.GetRequired(id))));

        v4.MapPost("/logs", async (HttpContext context, LogIntake intake) =>
        {
            var errors = new ValidationErrors();
            var node = await RequestBody.ReadAsync(context.Request, context.RequestAborted);
            var items = ObjectOrList(node, errors);
            var requests = items.Select((obj, i) => obj is null ? null : LogRequestReader.Read(new FieldReader(obj, node is JsonObject ? ["body"] : ["body", i], errors))).ToList();
            foreach (var request in requests.OfType<LogRequestFields>())
            {
                LogIntake.Check(request, errors);
            }

            errors.ThrowIfAny();
            var created = intake.Write(requests.OfType<LogRequestFields>().ToList());
            return node is JsonObject ? WireResults.Json(created[0]) : WireResults.Json(created);
        });

        v4.MapPatch("/logs/{id}", async (string id, HttpContext context, LogStore logs, ResponseBuilder responses) =>
        {
            var update = await ReadUpdateAsync(context);
            return WireResults.Json(responses.Log(logs.Update(logs.GetRequired(id).Id, update)));
        });

        v4.MapPatch("/logs", async (HttpContext context, LogStore logs, ResponseBuilder responses) =>
        {
            var query = new QueryReader(context, new ValidationErrors());
            var referenceId = query.String("reference_id", required: true);
            query.Errors.ThrowIfAny();
            var update = await ReadUpdateAsync(context);
            var log = logs.LatestByReference(referenceId!) ?? throw ApiException.NotFound($"Log with reference_id {referenceId} not found");
            return WireResults.Json(responses.Log(logs.Update(log.Id, update)));
        });

        v4.MapDelete("/logs", async (HttpContext context, LogStore logs) =>
        {
            // The ids come as repeated query parameters (the spec, and the Node SDK), as a JSON array body, or both.
            var ids = context.Request.Query["id"].OfType<string>().Where(id => id.Length > 0).ToList();
            if (await RequestBody.ReadOptionalAsync(context.Request, context.RequestAborted) is { } body)
            {
                ids.AddRange(RequestBody.IdArray(body));
            }

            logs.Delete(ids.Distinct(StringComparer.Ordinal).ToList());
            return WireResults.NoContent();
        });

        v4.MapPost("/feedback", async (HttpContext context, LogStore logs, HumanEvaluatorFeedback humanEvaluators) =>
        {
            var errors = new ValidationErrors();
            var node = await RequestBody.ReadAsync(context.Request, context.RequestAborted);
            var single = node is JsonObject;
            var items = ObjectOrList(node, errors);
            var requests = items.Select((obj, i) => obj is null ? null : LogRequestReader.ReadFeedback(new FieldReader(obj, single ? ["body"] : ["body", i], errors), requireDataId: true)).ToList();
            errors.ThrowIfAny();

            // Check every log first, so a batch with an unknown data_id records nothing.
            var targets = requests.Select(request => logs.GetRequired(request!.DataId!)).ToList();

            var results = requests.Select((r, i) =>
            {
                var feedback = logs.AddFeedback(r!.DataId!, r.Type, r.Value, r.User, r.CreatedAt, r.Unset);
                // Feedback named after a human evaluator of the log's evaluation is that evaluator's result.
                humanEvaluators.Record(targets[i], r.Type, r.Value, r.Unset);
                return ResponseBuilder.Feedback(feedback);
            }).ToList();
            return single ? WireResults.Json(results[0]) : WireResults.Json(results);
        });
    }

    /// <summary>A body of one object or a list of them (an item that is not an object is reported and null).</summary>
    private static List<JsonObject?> ObjectOrList(JsonNode node, ValidationErrors errors) => node switch
    {
        JsonObject obj => [obj],
        JsonArray array => array.Select((item, i) => item as JsonObject ?? ReportNotObject(errors, i)).ToList(),
        _ => throw ValidationErrors.Single(RequestBody.BodyLocation, "value is not a valid dict or list", "type_error"),
    };

    private static JsonObject? ReportNotObject(ValidationErrors errors, int index)
    {
        errors.Add(["body", index], "value is not a valid dict", "type_error.dict");
        return null;
    }

    /// <summary>
    /// An <c>UpdateLogRequest</c>: <c>output</c>, <c>error</c> and <c>duration</c>. A field left out stays as it is; one
    /// sent as null is cleared (so a log's error can be taken back).
    /// </summary>
    private static async Task<LogUpdate> ReadUpdateAsync(HttpContext context)
    {
        var body = await RequestBody.ReadObjectAsync(context.Request, new ValidationErrors(), context.RequestAborted);
        var output = body.String("output");
        var error = body.String("error");
        var duration = body.Number("duration");
        body.Errors.ThrowIfAny();
        return new LogUpdate(
            body.Object.ContainsKey("output") ? Change<string>.To(output) : Change<string>.Unset,
            body.Object.ContainsKey("error") ? Change<string>.To(error) : Change<string>.Unset,
            body.Object.ContainsKey("duration") ? Change<double?>.To(duration) : Change<double?>.Unset);
    }
}
