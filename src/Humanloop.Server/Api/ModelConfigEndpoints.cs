using System.Text.Json.Nodes;
using Humanloop.Server.Domain;
using Humanloop.Server.Http;
using Humanloop.Server.Storage;

namespace Humanloop.Server.Api;

/// <summary>The Model configs group: register and get, and configs as <c>.prompt</c> files (docs/prompt-format.md).</summary>
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

            // A named experiment must already exist (it is not created on the fly), so it is looked up before a project
            // named for the first time is created: a project that does not exist yet has no experiments.
            var existing = registry.FindProject(projectId, projectName);
            ExperimentRecord? experiment = null;
            if (experimentName is not null)
            {
                experiment = (existing is null ? null : experiments.ListByProject(existing.Id).FirstOrDefault(e => e.Name == experimentName))
                    ?? throw ApiException.NotFound($"Experiment '{RequestLimits.Echo(experimentName)}' not found in project {existing?.Id ?? RequestLimits.Echo(projectName)}");
            }

            var project = existing ?? registry.ResolveProject(projectId, projectName)!;
            var config = registry.Register(project, content!);
            if (experiment is not null)
            {
                experiments.Update(experiment.Id, null, null, [config.Id], []);
            }

            return WireResults.Json(responses.ProjectConfig(config, project, experiment?.Id));
        });

        v4.MapGet("/model-configs/{id}", (string id, ModelConfigStore configs) =>
            WireResults.Json(ResponseBuilder.ModelConfig(configs.GetRequired(id))));

        v4.MapPost("/model-configs/serialize", async (HttpContext context) =>
        {
            var body = await RequestBody.ReadObjectAsync(context.Request, new ValidationErrors(), context.RequestAborted);
            // The body is a ModelConfigChatRequest or a ModelConfigCompletionRequest, tried in the spec's order: it is a
            // completion config only when it has a prompt template and no chat parts (or says endpoint: complete).
            var completion = body.Object["prompt_template"] is not null && body.Object["chat_template"] is null && body.Object["tools"] is null;
            var content = ModelConfigParser.Parse(body, completion ? ModelEndpoints.Complete : ModelEndpoints.Chat);
            body.Errors.ThrowIfAny();
            return PromptFileResult(context.Request, PromptFile.Write(content!));
        });

        // Registers nothing (the request names no project): the id is that of a stored config with the same content when
        // there is one, else one derived from the content, the same every time, which no GET knows.
        v4.MapPost("/model-configs/deserialize", async (HttpContext context, ModelConfigStore configs) =>
        {
            var body = await RequestBody.ReadObjectAsync(context.Request, new ValidationErrors(), context.RequestAborted);
            var text = body.String("config", required: true);
            body.Errors.ThrowIfAny();

            JsonObject fields;
            try
            {
                fields = PromptFile.Read(text!);
            }
            catch (PromptFileException ex)
            {
                throw ValidationErrors.Single(body.At("config"), ex.Message, "value_error.prompt_file");
            }

            var file = new FieldReader(fields, body.At("config"), body.Errors);
            var content = ModelConfigParser.Parse(file, ModelEndpoints.Complete);
            body.Errors.ThrowIfAny();
            var id = configs.FindByContent(content!)?.Id ?? Ids.Derived(Ids.Config, content!.ContentHash());
            return WireResults.Json(ResponseBuilder.ModelConfig(id, content!));
        });

        v4.MapPost("/model-configs/{id}/export", (string id, HttpContext context, ModelConfigStore configs) =>
        {
            var config = configs.GetRequired(id);
            // The name as GET /model-configs/{id} shows it (a generated one included), so the file reads back to that response.
            return PromptFileResult(context.Request, PromptFile.Write(config.Content with { Name = config.DisplayName }));
        });
    }

    /// <summary>
    /// A .prompt text as the spec's JSON string; as the text itself (<c>text/prompt</c>, which the spec lists for export)
    /// when the client accepts that and not JSON.
    /// </summary>
    private static IResult PromptFileResult(HttpRequest request, string text)
    {
        var accept = request.Headers.Accept.ToString();
        return accept.Contains("text/prompt", StringComparison.OrdinalIgnoreCase) && !accept.Contains("application/json", StringComparison.OrdinalIgnoreCase)
            ? WireResults.Text(text, "text/prompt; charset=utf-8")
            : WireResults.Json(text);
    }
}
