using System.Text.Json.Nodes;
using Humanloop.Server.Domain;
using Humanloop.Server.Http;
using Humanloop.Server.Storage;

namespace Humanloop.Server.Api;

/// <summary>The Projects group: CRUD, listing with paging, the project's configs, feedback types and log export.</summary>
internal static class ProjectEndpoints
{
    private static readonly string[] Orders = ["asc", "desc"];

    public static void MapProjectEndpoints(this IEndpointRouteBuilder v4)
    {
        v4.MapPost("/projects", async (HttpContext context, ProjectStore projects, ResponseBuilder responses) =>
        {
            var body = await RequestBody.ReadObjectAsync(context.Request, new ValidationErrors(), context.RequestAborted);
            var name = body.String("name", required: true);
            var directoryId = body.String("directory_id");
            var feedbackTypes = body.ObjectList("feedback_types")?.Select(FeedbackTypeChange.Read).ToList();
            body.Errors.ThrowIfAny();
            // Types to create are applied to the defaults, as on the project's feedback-types endpoints.
            var types = feedbackTypes is null ? null : ApplyFeedbackTypes(FeedbackTypeDefinition.Defaults, feedbackTypes!);
            var project = projects.Create(name!, directoryId, types);
            return WireResults.Json(responses.Project(project), StatusCodes.Status201Created);
        });

        v4.MapGet("/projects", (HttpContext context, ProjectStore projects, ResponseBuilder responses) =>
        {
            var query = new QueryReader(context, new ValidationErrors());
            var page = query.Int("page", 0, minimum: 0);
            var size = query.PageSize(10);
            var filter = query.String("filter");
            var sortBy = query.Enum("sort_by", "created_at", ProjectStore.SortColumns);
            var order = query.Enum("order", "desc", Orders);
            query.Errors.ThrowIfAny();
            var (items, total) = projects.List(filter, sortBy, order, page, size);
            return WireResults.Json(new PageResponse<ProjectResponse>(items.Select(responses.Project).ToList(), page, size, total));
        });

        v4.MapGet("/projects/{id}", (string id, ProjectStore projects, ResponseBuilder responses) =>
            WireResults.Json(responses.Project(projects.GetRequired(id))));

        v4.MapPatch("/projects/{id}", async (string id, HttpContext context, ProjectStore projects, ModelConfigStore configs,
            ExperimentStore experiments, DeploymentStore deployments, ResponseBuilder responses) =>
        {
            var body = await RequestBody.ReadObjectAsync(context.Request, new ValidationErrors(), context.RequestAborted);
            var name = body.String("name");
            var activeConfigId = body.String("active_config_id");
            var activeExperimentId = body.String("active_experiment_id");
            var directoryId = body.String("directory_id");
            var positiveLabels = PositiveLabel.ReadList(body, "positive_labels");
            if (activeConfigId is not null && activeExperimentId is not null)
            {
                body.Errors.Add(RequestBody.BodyLocation, "at most one of active_config_id and active_experiment_id can be set", "value_error");
            }

            body.Errors.ThrowIfAny();
            // Everything that can fail (unknown ids, a name already taken) comes before the deployment
            // changes, so a rejected request changes nothing.
            var project = projects.GetRequired(id);
            var config = activeConfigId is null ? null : configs.GetRequiredInProject(activeConfigId, project.Id);
            var experiment = activeExperimentId is null ? null : experiments.GetRequiredInProject(activeExperimentId, project.Id);
            project = projects.Update(id, name, directoryId, positiveLabels);
            if (config is not null || experiment is not null)
            {
                deployments.Set(project.Id, DeploymentEnvironments.Production.Id, config?.Id, experiment?.Id);
            }

            return WireResults.Json(responses.Project(project));
        });

        v4.MapDelete("/projects/{id}", (string id, ProjectStore projects) =>
        {
            if (!projects.Delete(id))
            {
                throw ApiException.NotFound("Project", id);
            }

            return WireResults.NoContent();
        });

        v4.MapPost("/projects/{id}/feedback-types", async (string id, HttpContext context, ProjectStore projects) =>
        {
            var body = await RequestBody.ReadObjectAsync(context.Request, new ValidationErrors(), context.RequestAborted);
            var change = FeedbackTypeChange.Read(body);
            body.Errors.ThrowIfAny();
            // Creating a type that exists updates it (an upsert, as PATCH is): the tolerant reading of an unspecified case.
            var project = projects.UpdateFeedbackTypes(id, types => ApplyFeedbackTypes(types, [change]));
            var created = project.EffectiveFeedbackTypes.Single(t => t.Type == change!.Type);
            return WireResults.Json(ResponseBuilder.FeedbackType(created), StatusCodes.Status201Created);
        });

        v4.MapPatch("/projects/{id}/feedback-types", async (string id, HttpContext context, ProjectStore projects) =>
        {
            var errors = new ValidationErrors();
            // A list of FeedbackTypeRequests; one object alone is taken as a list of one.
            var changes = await RequestBody.ReadAsync(context.Request, context.RequestAborted) switch
            {
                JsonArray array => array.Select((item, i) => item is JsonObject obj
                    ? FeedbackTypeChange.Read(new FieldReader(obj, ["body", i], errors))
                    : NotAnObject(errors, i)).ToList(),
                JsonObject obj => [FeedbackTypeChange.Read(new FieldReader(obj, RequestBody.BodyLocation, errors))],
                _ => throw ValidationErrors.Single(RequestBody.BodyLocation, "value is not a valid list", "type_error.list"),
            };
            errors.ThrowIfAny();
            var project = projects.UpdateFeedbackTypes(id, types => ApplyFeedbackTypes(types, changes!));
            return WireResults.Json(ResponseBuilder.FeedbackTypes(project));
        });

        v4.MapPost("/projects/{id}/export", (string id, HttpContext context, ProjectStore projects, LogStore logs, ResponseBuilder responses) =>
        {
            var query = new QueryReader(context, new ValidationErrors());
            var page = query.Int("page", 0, minimum: 0);
            var size = query.PageSize(10);
            query.Errors.ThrowIfAny();
            var project = projects.GetRequired(id);
            // Every log of the project, newest first: GET /logs without its filters.
            var (items, total) = logs.List(project.Id, null, null, null, page, size);
            return WireResults.Json(new PageResponse<LogResponse>(items.Select(l => responses.Log(l, project)).ToList(), page, size, total));
        });

        v4.MapGet("/projects/{id}/configs", (string id, ProjectStore projects, ModelConfigStore configs, ResponseBuilder responses) =>
        {
            var project = projects.GetRequired(id);
            return WireResults.Json(configs.ListByProject(project.Id).Select(c => responses.ProjectConfig(c, project)).ToList());
        });
    }

    private static FeedbackTypeChange? NotAnObject(ValidationErrors errors, int index)
    {
        errors.Add(["body", index], "value is not a valid dict", "type_error.dict");
        return null;
    }

    /// <summary>Applies feedback type changes, or fails with every problem they have (a 422: then nothing changes).</summary>
    private static IReadOnlyList<FeedbackTypeDefinition> ApplyFeedbackTypes(IReadOnlyList<FeedbackTypeDefinition> types, IReadOnlyList<FeedbackTypeChange?> changes)
    {
        var errors = new ValidationErrors();
        var result = FeedbackTypeChange.Apply(types, changes.OfType<FeedbackTypeChange>().ToList(), errors);
        errors.ThrowIfAny();
        return result;
    }
}
