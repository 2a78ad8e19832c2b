using Humanloop.Server.Domain;
using Humanloop.Server.Http;
using Humanloop.Server.Storage;

namespace Humanloop.Server.Api;

/// <summary>The Model configs group: register and get.</summary>
internal static class ModelConfigEndpoints
{
    public static void MapModelConfigEndpoints(this IEndpointRouteBuilder v4)
    {
        v4.MapPost("/model-configs", async (HttpContext context, ConfigRegistry registry, ExperimentStore experiments, ResponseBuilder responses) =>
        {
            var body = await RequestBody.ReadObjectAsync(context.Request, new ValidationErrors(), context.RequestAborted);
            var projectName = body.String("project");
            var projectId = body.String("project_id");
            var experimentName = body.String("experiment");
            var content = ModelConfigParser.Parse(body);
            if (projectName is null && projectId is null)
            {
                body.Errors.Add(body.At("project"), "either project or project_id is required", "value_error.missing");
            }

            body.Errors.ThrowIfAny();

            var project = registry.ResolveProject(projectId, projectName)!;
            ExperimentRecord? experiment = null;
            if (experimentName is not null)
            {
                // A named experiment must already exist (it is not created on the fly).
                experiment = experiments.ListByProject(project.Id).FirstOrDefault(e => e.Name == experimentName)
                    ?? throw ApiException.NotFound($"Experiment '{experimentName}' not found in project {project.Id}");
            }

            var config = registry.Register(project, content!);
            if (experiment is not null)
            {
                experiments.Update(experiment.Id, null, null, [config.Id], []);
            }

            return WireResults.Json(responses.ProjectConfig(config, project, experiment?.Id));
        });

        v4.MapGet("/model-configs/{id}", (string id, ModelConfigStore configs) =>
            WireResults.Json(ResponseBuilder.ModelConfig(configs.GetRequired(id))));
    }
}
