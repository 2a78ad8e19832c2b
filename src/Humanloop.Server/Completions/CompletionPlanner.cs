using Humanloop.Server.Api;
using Humanloop.Server.Domain;
using Humanloop.Server.Http;
using Humanloop.Server.Providers;
using Humanloop.Server.Storage;

namespace Humanloop.Server.Completions;

/// <summary>
/// Resolves a completion request into a plan: the project (created by name when unknown), the
/// session, the config of every sample, the rendered prompts and the provider calls. All
/// validation and lookups happen here, before any generation.
/// </summary>
internal sealed class CompletionPlanner(
    ConfigRegistry registry,
    ModelConfigStore configs,
    ExperimentStore experiments,
    SessionStore sessions,
    DeploymentResolver deployments,
    ExperimentConfigPicker picker,
    ProviderCatalog providers)
{
    private static readonly object[] ProviderLocation = ["body", "model_config", "provider"];

    public CompletionPlan Plan(CompletionRequest request)
    {
        if (request.Kind == CompletionKind.Inline)
        {
            // An inline config is checked before anything is created, so a rejected request leaves no project or config behind.
            providers.Resolve(request.ModelConfig!, ProviderLocation);
            RenderPrompts([new ModelConfigRecord("inline", "", request.ModelConfig!, default, default)], request);
        }

        var project = registry.ResolveProject(request.ProjectId, request.Project);
        string? environment = null;
        ExperimentRecord? experiment = null;
        IReadOnlyList<ModelConfigRecord> sampleConfigs;

        switch (request.Kind)
        {
            case CompletionKind.Inline:
                project = RequireProject(project);
                sampleConfigs = Repeat(registry.Register(project, request.ModelConfig!), request.NumSamples);
                break;
            case CompletionKind.ModelConfig:
                var config = configs.GetRequired(request.ModelConfigId!);
                project ??= registry.ResolveProject(config.ProjectId, null);
                sampleConfigs = Repeat(config, request.NumSamples);
                break;
            case CompletionKind.Experiment:
                experiment = experiments.GetRequired(request.ExperimentId!);
                project ??= registry.ResolveProject(experiment.ProjectId, null);
                sampleConfigs = picker.Pick(experiment, request.NumSamples, ["body", "experiment_id"]);
                break;
            default:
                project = RequireProject(project);
                var target = DeploymentResolver.Environment(request.Environment, ["body", "environment"]);
                var deployment = deployments.Resolve(project, target)
                    ?? throw ApiException.NotFound($"Project {project.Id} has no config deployed to environment {target.Name} and no active config");
                environment = deployment.EnvironmentId == target.Id ? target.Name : DeploymentEnvironments.Production.Name;
                if (deployment.ExperimentId is { } experimentId)
                {
                    experiment = experiments.GetRequired(experimentId);
                    sampleConfigs = picker.Pick(experiment, request.NumSamples, ["body", "environment"]);
                }
                else
                {
                    sampleConfigs = Repeat(configs.GetRequired(deployment.ConfigId!), request.NumSamples);
                }

                break;
        }

        project = RequireProject(project);
        var prompts = RenderPrompts(sampleConfigs, request);
        var samples = sampleConfigs
            .Select((config, index) => new SamplePlan(index, Ids.New(Ids.Log), config, experiment?.Id, experiment is null ? null : Ids.New(Ids.Trial)))
            .ToList();
        var calls = samples
            .GroupBy(s => s.Config.Id)
            .Select(group =>
            {
                var config = group.First().Config;
                var call = new ProviderCall(config.Content, prompts[config.Id], group.Select(s => s.Index).ToList(), request.User, request.Seed, request.Keys);
                return new ProviderCallPlan(providers.Resolve(config.Content, ProviderLocation), call, group.ToList());
            })
            .ToList();

        // The session comes last, so a request rejected above creates none.
        var session = request.SessionId is { } sessionId ? sessions.GetRequired(sessionId)
            : request.SessionReferenceId is { } reference ? sessions.GetOrCreateByReference(project.Id, reference)
            : null;

        return new CompletionPlan(request, project, session, environment, samples, calls);
    }

    private static ProjectRecord RequireProject(ProjectRecord? project) =>
        project ?? throw ValidationErrors.Single(["body", "project"], "either project or project_id is required", "value_error.missing");

    private static List<ModelConfigRecord> Repeat(ModelConfigRecord config, int count) => Enumerable.Repeat(config, count).ToList();

    /// <summary>Renders each distinct config's template; every missing input is reported at <c>["body","inputs",name]</c>.</summary>
    private static Dictionary<string, string> RenderPrompts(IReadOnlyList<ModelConfigRecord> sampleConfigs, CompletionRequest request)
    {
        var errors = new ValidationErrors();
        var reported = new HashSet<string>(StringComparer.Ordinal);
        var prompts = new Dictionary<string, string>();
        foreach (var config in sampleConfigs.DistinctBy(c => c.Id))
        {
            foreach (var missing in PromptTemplate.MissingInputs(config.Content.PromptTemplate, request.Inputs))
            {
                if (reported.Add(missing))
                {
                    errors.Add(["body", "inputs", missing], $"input '{missing}' is used by the prompt template but missing from inputs", "value_error.missing");
                }
            }

            prompts[config.Id] = PromptTemplate.Render(config.Content.PromptTemplate, request.Inputs);
        }

        errors.ThrowIfAny();
        return prompts;
    }
}
