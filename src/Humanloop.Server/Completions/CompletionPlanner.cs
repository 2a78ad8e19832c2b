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
        // Everything is looked up and checked first; a project named for the first time is created, and
        // an inline config registered, only once the request is known to be valid, so a rejected request
        // leaves nothing behind.
        var namedProject = registry.FindProject(request.ProjectId, request.Project);
        string? environment = null;
        ExperimentRecord? experiment = null;
        IReadOnlyList<ModelConfigRecord> sampleConfigs;
        string? ownerProjectId = null;

        switch (request.Kind)
        {
            case CompletionKind.Inline:
                RequireProjectNamed(request);
                sampleConfigs = Repeat(new ModelConfigRecord(UnregisteredConfigId, "", request.ModelConfig!, default, default), request.NumSamples);
                break;
            case CompletionKind.ModelConfig:
                var config = configs.GetRequired(request.ModelConfigId!);
                ownerProjectId = config.ProjectId;
                sampleConfigs = Repeat(config, request.NumSamples);
                break;
            case CompletionKind.Experiment:
                experiment = experiments.GetRequired(request.ExperimentId!);
                ownerProjectId = experiment.ProjectId;
                sampleConfigs = picker.Pick(experiment, request.NumSamples, ["body", "experiment_id"]);
                break;
            default:
                RequireProjectNamed(request);
                var deployedProject = namedProject ?? throw ApiException.NotFound($"Project {request.Project} not found, so nothing is deployed in it");
                var target = DeploymentResolver.Environment(request.Environment, ["body", "environment"]);
                var deployment = deployments.Resolve(deployedProject, target)
                    ?? throw ApiException.NotFound($"Project {deployedProject.Id} has no config deployed to environment {target.Name} and no active config");
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

        var prompts = RenderPrompts(sampleConfigs, request);
        var resolvedProviders = sampleConfigs
            .DistinctBy(c => c.Id)
            .ToDictionary(c => c.Id, c => providers.Resolve(c.Content, ProviderLocation));

        var project = namedProject ?? registry.ResolveProject(ownerProjectId, request.Project)!;
        if (request.Kind == CompletionKind.Inline)
        {
            var registered = registry.Register(project, request.ModelConfig!);
            sampleConfigs = Repeat(registered, request.NumSamples);
            prompts = new Dictionary<string, string> { [registered.Id] = prompts[UnregisteredConfigId] };
            resolvedProviders = new Dictionary<string, ICompletionProvider> { [registered.Id] = resolvedProviders[UnregisteredConfigId] };
        }

        var samples = sampleConfigs
            .Select((config, index) => new SamplePlan(index, Ids.New(Ids.Log), config, experiment?.Id, experiment is null ? null : Ids.New(Ids.Trial)))
            .ToList();
        var calls = samples
            .GroupBy(s => s.Config.Id)
            .Select(group =>
            {
                var config = group.First().Config;
                var call = new ProviderCall(config.Content, prompts[config.Id], group.Select(s => s.Index).ToList(), request.User, request.Seed, request.Keys);
                return new ProviderCallPlan(resolvedProviders[config.Id], call, group.ToList());
            })
            .ToList();

        var session = request.SessionId is { } sessionId ? sessions.GetRequired(sessionId)
            : request.SessionReferenceId is { } reference ? sessions.GetOrCreateByReference(project.Id, reference)
            : null;

        return new CompletionPlan(request, project, session, environment, samples, calls);
    }

    private const string UnregisteredConfigId = "inline";

    private static void RequireProjectNamed(CompletionRequest request)
    {
        if (request.ProjectId is null && request.Project is null)
        {
            throw ValidationErrors.Single(["body", "project"], "either project or project_id is required", "value_error.missing");
        }
    }

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
