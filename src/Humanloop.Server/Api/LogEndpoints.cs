using System.Text.Json;
using System.Text.Json.Nodes;
using Humanloop.Server.Evaluations;
using Humanloop.Server.Http;
using Humanloop.Server.Storage;

namespace Humanloop.Server.Api;

/// <summary>Logs (read) and feedback on them.</summary>
internal static class LogEndpoints
{
    public static void MapLogEndpoints(this IEndpointRouteBuilder v4)
    {
        v4.MapGet("/logs", (HttpContext context, ProjectStore projects, LogStore logs, ResponseBuilder responses) =>
        {
            var query = new QueryReader(context.Request.Query, new ValidationErrors());
            var projectId = query.String("project_id", required: true);
            var search = query.String("search");
            var start = query.DateOrDateTime("start_date", endOfRange: false);
            var end = query.DateOrDateTime("end_date", endOfRange: true);
            var page = query.Int("page", 0, minimum: 0);
            var size = query.Int("size", 50, minimum: 1);
            query.Errors.ThrowIfAny();

            var project = projects.GetRequired(projectId!);
            var (items, total) = logs.List(project.Id, search, start, end, page, size);
            return WireResults.Json(new PageResponse<LogResponse>(items.Select(l => responses.Log(l, project)).ToList(), page, size, total));
        });

        v4.MapGet("/logs/{id}", (string id, LogStore logs, ResponseBuilder responses) => WireResults.Json(responses.Log(logs.GetRequired(id))));

        v4.MapPost("/feedback", async (HttpContext context, LogStore logs, HumanEvaluatorFeedback humanEvaluators) =>
        {
            var errors = new ValidationErrors();
            var node = await RequestBody.ReadAsync(context.Request, context.RequestAborted);
            var single = node is JsonObject;
            var items = node switch
            {
                JsonObject obj => [obj],
                JsonArray array => array.Select((item, i) => item as JsonObject ?? ReportNotObject(errors, i)).ToList(),
                _ => throw ValidationErrors.Single(RequestBody.BodyLocation, "value is not a valid dict or list", "type_error"),
            };

            var requests = items.Select((obj, i) => obj is null ? null : ReadFeedback(new FieldReader(obj, single ? ["body"] : ["body", i], errors))).ToList();
            errors.ThrowIfAny();

            // Check every log first, so a batch with an unknown data_id records nothing.
            var targets = requests.Select(request => logs.GetRequired(request!.DataId)).ToList();

            var results = requests.Select((r, i) =>
            {
                var feedback = logs.AddFeedback(r!.DataId, r.Type, r.Value, r.User, r.CreatedAt, r.Unset);
                // Feedback named after a human evaluator of the log's evaluation is that evaluator's result.
                humanEvaluators.Record(targets[i], r.Type, r.Value, r.Unset);
                return ResponseBuilder.Feedback(feedback);
            }).ToList();
            return single ? WireResults.Json(results[0]) : WireResults.Json(results);
        });
    }

    private sealed record FeedbackInput(string Type, JsonNode? Value, string DataId, string? User, DateTime? CreatedAt, bool Unset);

    private static JsonObject? ReportNotObject(ValidationErrors errors, int index)
    {
        errors.Add(["body", index], "value is not a valid dict", "type_error.dict");
        return null;
    }

    private static FeedbackInput? ReadFeedback(FieldReader item)
    {
        var errorsBefore = item.Errors.Count;
        var type = item.String("type", required: true);
        var dataId = item.String("data_id", required: true);
        var user = item.String("user");
        var createdAtText = item.String("created_at");
        var unset = item.Bool("unset") ?? false;
        var value = item.Object["value"];
        if (value is null && !unset)
        {
            item.Errors.Missing(item.At("value"));
        }
        else if (value is not null && value.GetValueKind() is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False))
        {
            item.Errors.Add(item.At("value"), "value must be a string, a number or a boolean", "type_error");
        }

        DateTime? createdAt = null;
        if (createdAtText is not null)
        {
            if (DateTime.TryParse(createdAtText, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed))
            {
                createdAt = parsed;
            }
            else
            {
                item.Errors.Add(item.At("created_at"), "invalid datetime format", "value_error.datetime");
            }
        }

        return item.Errors.Count > errorsBefore ? null : new FeedbackInput(type!, unset ? null : value, dataId!, user, createdAt, unset);
    }
}
