using System.Text.Json;
using System.Text.Json.Nodes;
using Humanloop.Server.Domain;
using Humanloop.Server.Evaluations;
using Humanloop.Server.Http;
using Humanloop.Server.Providers;
using Humanloop.Server.Storage;

namespace Humanloop.Server.Api;

/// <summary>
/// The Evaluations group of the 2024-07-12 spec. Runs of server-generated evaluations are the work of
/// <see cref="EvaluationRunner"/>; every <c>evaluatee_id</c> query parameter is accepted and ignored (a config
/// has one version here).
/// </summary>
internal static class EvaluationEndpoints
{
    private static readonly string[] KeyNames = ["openai", "openai_azure", "openai_azure_endpoint", "mock", "anthropic", "cohere", "ai21", "bedrock"];

    public static void MapEvaluationEndpoints(this IEndpointRouteBuilder v4)
    {
        v4.MapPost("/projects/{projectId}/evaluations", async (string projectId, HttpContext context, ProjectStore projects, ModelConfigStore configs,
            DatasetStore datasets, EvaluatorStore evaluators, EvaluationStore evaluations, EvaluationRunner runner, EvaluationResponseBuilder responses) =>
        {
            var body = await RequestBody.ReadObjectAsync(context.Request, new ValidationErrors(), context.RequestAborted);
            var configId = body.String("config_id", required: true);
            var evaluatorIds = body.StringList("evaluator_ids", required: true);
            var datasetId = body.String("dataset_id", required: true);
            var keys = body.Nested("provider_api_keys");
            foreach (var name in KeyNames)
            {
                keys?.String(name);
            }

            var hlGenerated = body.Bool("hl_generated") ?? true;
            body.Errors.ThrowIfAny();

            var project = projects.GetRequired(projectId);
            var config = configs.GetRequiredInProject(configId!, project.Id);
            datasets.GetRequired(datasetId!);
            var members = evaluatorIds!.Distinct(StringComparer.Ordinal).Select(id => evaluators.GetRequired(id).Id).ToList();

            var evaluation = evaluations.Create(project.Id, config.Id, datasetId!, members, hlGenerated);
            if (hlGenerated)
            {
                runner.Start(evaluation.Id, ProviderKeys.From(keys?.Object));
            }

            return WireResults.Json(responses.Evaluation(evaluation, withAggregates: false), StatusCodes.Status201Created);
        });

        v4.MapGet("/evaluations", (HttpContext context, ProjectStore projects, EvaluationStore evaluations, EvaluationResponseBuilder responses) =>
        {
            var query = new QueryReader(context, new ValidationErrors());
            var projectId = query.String("project_id", required: true);
            var ids = query.Strings("id");
            var start = query.DateOrDateTime("start_date", endOfRange: false);
            var end = query.DateOrDateTime("end_date", endOfRange: true);
            var page = query.Int("page", 0, minimum: 0);
            var size = query.PageSize(50);
            query.Errors.ThrowIfAny();

            var project = projects.GetRequired(projectId!);
            var (items, total) = evaluations.List(project.Id, ids, start, end, page, size);
            return WireResults.Json(new PageResponse<EvaluationResponse>(items.Select(e => responses.Evaluation(e, withAggregates: false)).ToList(), page, size, total));
        });

        v4.MapGet("/projects/{projectId}/evaluations", (string projectId, HttpContext context, ProjectStore projects, EvaluationStore evaluations,
            EvaluationResponseBuilder responses) =>
        {
            var query = new QueryReader(context, new ValidationErrors());
            var aggregates = query.Bool("evaluator_aggregates", false);
            query.Errors.ThrowIfAny();
            var project = projects.GetRequired(projectId);
            return WireResults.Json(evaluations.ListByProject(project.Id).Select(e => responses.Evaluation(e, aggregates)).ToList());
        });

        v4.MapGet("/evaluations/{id}", (string id, HttpContext context, EvaluationStore evaluations, EvaluationResponseBuilder responses) =>
        {
            var query = new QueryReader(context, new ValidationErrors());
            var aggregates = query.Bool("evaluator_aggregates", false);
            query.Errors.ThrowIfAny();
            return WireResults.Json(responses.Evaluation(evaluations.GetRequired(id), aggregates));
        });

        v4.MapGet("/evaluations/{id}/datapoints", (string id, HttpContext context, EvaluationStore evaluations, EvaluationResponseBuilder responses) =>
        {
            // This list pages from 1, as the spec says (the other lists page from 0).
            var query = new QueryReader(context, new ValidationErrors());
            var page = query.Int("page", 1, minimum: 1);
            var size = query.PageSize(10);
            query.Errors.ThrowIfAny();
            return WireResults.Json(responses.Datapoints(evaluations.GetRequired(id), page, size));
        });

        v4.MapPatch("/evaluations/{id}/status", async (string id, HttpContext context, EvaluationLifecycle lifecycle, EvaluationResponseBuilder responses) =>
        {
            var body = await RequestBody.ReadObjectAsync(context.Request, new ValidationErrors(), context.RequestAborted);
            var status = body.Enum("status", EvaluationStatus.All, required: true);
            body.Errors.ThrowIfAny();
            return WireResults.Json(responses.Evaluation(lifecycle.SetStatus(id, status!), withAggregates: false));
        });

        v4.MapPatch("/evaluations/{id}/evaluators", async (string id, HttpContext context, EvaluatorStore evaluators, EvaluationStore evaluations,
            EvaluationResponseBuilder responses) =>
        {
            var body = await RequestBody.ReadObjectAsync(context.Request, new ValidationErrors(), context.RequestAborted);
            var evaluatorIds = body.StringList("evaluator_ids") ?? [];
            // Evaluators have no versions here: an evaluator's version id is its own id.
            var versionIds = body.StringList("evaluator_version_ids") ?? [];
            body.Errors.ThrowIfAny();

            var evaluation = evaluations.GetRequired(id);
            var added = evaluatorIds.Concat(versionIds).Distinct(StringComparer.Ordinal).Select(e => evaluators.GetRequired(e).Id).ToList();
            return WireResults.Json(responses.Evaluation(evaluations.AddEvaluators(evaluation.Id, added), withAggregates: false));
        });

        v4.MapPost("/evaluations/{evaluationId}/log", async (string evaluationId, HttpContext context, ModelConfigStore configs, SessionStore sessions,
            LogStore logs, EvaluationStore evaluations, EvaluationScorer scorer, TimeProvider time) =>
        {
            var body = await RequestBody.ReadObjectAsync(context.Request, new ValidationErrors(), context.RequestAborted);
            var datapointId = body.String("datapoint_id", required: true);
            var fields = body.Nested("log", required: true) is { } reader ? LogRequestReader.Read(reader) : null;
            body.Errors.ThrowIfAny();

            var evaluation = evaluations.GetRequired(evaluationId);
            var datapoint = evaluations.Datapoint(evaluation.Id, datapointId!)
                ?? throw ValidationErrors.Single(["body", "datapoint_id"], $"datapoint {datapointId} is not in the dataset snapshot of evaluation {evaluation.Id}");
            var config = configs.GetRequired(fields!.ConfigId ?? evaluation.ConfigId);
            var parent = fields.ParentId is { } parentId ? logs.Get(parentId)
                : fields.ParentReferenceId is { } parentReference ? logs.LatestByReference(parentReference)
                : null;
            var session = fields.SessionId is { } sessionId ? sessions.GetRequired(sessionId)
                : fields.SessionReferenceId is { } reference ? sessions.GetOrCreateByReference(evaluation.ProjectId, reference)
                : parent?.SessionId is { } parentSession ? sessions.Get(parentSession)
                : null;

            var now = time.GetUtcNow().UtcDateTime;
            var log = new LogRecord
            {
                Id = Ids.New(Ids.Log),
                ProjectId = evaluation.ProjectId,
                SessionId = session?.Id,
                SessionReferenceId = session?.ReferenceId,
                ParentId = fields.ParentId ?? parent?.Id,
                ParentReferenceId = fields.ParentReferenceId,
                ReferenceId = fields.ReferenceId,
                Judgment = fields.Judgment,
                PromptCost = fields.PromptCost,
                OutputCost = fields.OutputCost,
                ConfigId = config.Id,
                Environment = fields.Environment,
                // The datapoint's inputs unless the log says what it was given.
                Inputs = fields.Inputs ?? (JsonObject)datapoint.Inputs.DeepClone(),
                Messages = fields.Messages,
                Output = fields.Output,
                OutputMessage = fields.OutputMessage,
                Source = fields.Source,
                Metadata = fields.Metadata,
                SourceDatapointId = datapoint.Id,
                EvaluationId = evaluation.Id,
                Error = fields.Error,
                Save = fields.Save,
                PromptTokens = fields.PromptTokens,
                OutputTokens = fields.OutputTokens,
                ProviderLatency = fields.Duration,
                ProviderRequest = fields.Save ? fields.ProviderRequest : null,
                ProviderResponse = fields.Save ? fields.ProviderResponse : null,
                CreatedAt = fields.CreatedAt ?? now,
                UpdatedAt = now,
            };
            logs.Insert(log);
            evaluations.TryTransition(evaluation.Id, [EvaluationStatus.Pending], EvaluationStatus.Running);

            // The server's evaluators judge the log before the answer, so once every log is posted every server result exists.
            await scorer.ScoreAsync(new EvaluationSubject(evaluation.Id, log, datapoint, ProviderKeys.None), onlyWhileActive: false, context.RequestAborted);
            return WireResults.Json(new CreateLogResponse(log.Id, log.ProjectId, log.SessionId), StatusCodes.Status201Created);
        });

        v4.MapPost("/evaluations/{evaluationId}/result", async (string evaluationId, HttpContext context, LogStore logs, EvaluatorStore evaluators,
            EvaluationStore evaluations, EvaluationResponseBuilder responses) =>
        {
            var body = await RequestBody.ReadObjectAsync(context.Request, new ValidationErrors(), context.RequestAborted);
            var logId = body.String("log_id", required: true);
            var evaluatorId = body.String("evaluator_id", required: true);
            var value = body.Object["result"];
            if (value is not null && value.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Number))
            {
                body.Errors.Add(body.At("result"), "value is not a valid boolean or number", "type_error");
            }

            var error = body.String("error");
            body.Errors.ThrowIfAny();

            var evaluation = evaluations.GetRequired(evaluationId);
            var errors = new ValidationErrors();
            if (logs.Get(logId!) is not { } log || log.EvaluationId != evaluation.Id)
            {
                errors.Add(["body", "log_id"], $"log {logId} is not a log of evaluation {evaluation.Id}", "value_error");
            }

            var evaluator = evaluations.EvaluatorIds(evaluation.Id).Contains(evaluatorId!) ? evaluators.Get(evaluatorId!) : null;
            if (evaluator is null)
            {
                errors.Add(["body", "evaluator_id"], $"evaluator {evaluatorId} is not one of the evaluators of evaluation {evaluation.Id}", "value_error");
            }
            else if (value is not null && ReturnTypeProblem(evaluator, value) is { } problem)
            {
                errors.Add(["body", "result"], problem, "value_error");
            }

            errors.ThrowIfAny();
            var saved = evaluations.SaveResult(evaluation.Id, logId!, evaluatorId!, value?.DeepClone(), error, null, onlyWhileActive: false)!;
            return WireResults.Json(responses.Result(saved), StatusCodes.Status201Created);
        });
    }

    /// <summary>A boolean evaluator's results are true or false, a number evaluator's numbers, so its aggregate means something.</summary>
    private static string? ReturnTypeProblem(EvaluatorRecord evaluator, JsonNode value) => (evaluator.ReturnType, value.GetValueKind()) switch
    {
        ("boolean", JsonValueKind.Number) => $"evaluator {evaluator.Id} returns a boolean: the result must be true or false",
        ("number", JsonValueKind.True or JsonValueKind.False) => $"evaluator {evaluator.Id} returns a number: the result must be a number",
        _ => null,
    };
}
