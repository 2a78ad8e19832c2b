using Humanloop.Server.Api;
using Humanloop.Server.Domain;
using Humanloop.Server.Http;
using Humanloop.Server.Providers;
using Humanloop.Server.Storage;

namespace Humanloop.Server.Generation;

/// <summary>
/// Resolves a generation request into a plan: the project (created by name when unknown), the
/// session, the config of every sample, the conversation each config makes, and the provider
/// calls. All validation and lookups happen here, before any generation.
/// </summary>
internal sealed class GenerationPlanner(
    ConfigRegistry registry,
    ModelConfigStore configs,
    ExperimentStore experiments,
    SessionStore sessions,
    LogStore logs,
    DeploymentResolver deployments,
    ExperimentConfigPicker picker,
    ProviderCatalog providers)
{
    private static readonly object[] ProviderLocation = ["body", "model_config", "provider"];

    public GenerationPlan Plan(GenerationRequest request)
    {
        // Everything is looked up and checked first; a project named for the first time is created, and
        // an inline config registered, only once the request is known to be valid, so a rejected request
        // leaves nothing behind.
        var namedProject = registry.FindProject(request.ProjectId, request.Project);
        var namedSession = request.SessionId is { } sessionId ? sessions.GetRequired(sessionId) : null;
        string? environment = null;
        ExperimentRecord? experiment = null;
        IReadOnlyList<ModelConfigRecord> sampleConfigs;
        string? ownerProjectId = null;

        switch (request.ConfigSource)
        {
            case ConfigSource.Inline:
                RequireProjectNamed(request);
                sampleConfigs = Repeat(new ModelConfigRecord(UnregisteredConfigId, "", request.ModelConfig!, default, default), request.NumSamples);
                break;
            case ConfigSource.ModelConfig:
                var config = configs.GetRequired(request.ModelConfigId!);
                ownerProjectId = config.ProjectId;
                sampleConfigs = Repeat(config, request.NumSamples);
                break;
            case ConfigSource.Experiment:
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

        var conversations = Converse(sampleConfigs, request);
        var resolvedProviders = sampleConfigs
            .DistinctBy(c => c.Id)
            .ToDictionary(c => c.Id, c => providers.Resolve(c.Content, request.Keys, ProviderLocation));

        var project = namedProject ?? registry.ResolveProject(ownerProjectId, request.Project)!;
        if (request.ConfigSource == ConfigSource.Inline)
        {
            var registered = registry.Register(project, request.ModelConfig!);
            sampleConfigs = Repeat(registered, request.NumSamples);
            conversations = new Dictionary<string, Conversation> { [registered.Id] = conversations[UnregisteredConfigId] };
            resolvedProviders = new Dictionary<string, IModelProvider> { [registered.Id] = resolvedProviders[UnregisteredConfigId] };
        }

        var samples = sampleConfigs
            .Select((config, index) => new SamplePlan(index, Ids.New(Ids.Log), config, conversations[config.Id],
                experiment?.Id, experiment is null ? null : Ids.New(Ids.Trial)))
            .ToList();
        var calls = samples
            .GroupBy(s => s.Config.Id)
            .Select(group =>
            {
                var first = group.First();
                var call = new ProviderCall(first.Config.Content, request.Kind.Endpoint, first.Conversation, group.Select(s => s.Index).ToList(),
                    request.User, request.Seed, request.Keys);
                return new ProviderCallPlan(resolvedProviders[first.Config.Id], call, group.ToList());
            })
            .ToList();

        // A parent named by reference is the latest log with that reference id; one that names nothing is kept as sent.
        // A log with a parent, and no session of its own, joins its parent's session.
        var parent = request.ParentId is { } parentId ? logs.Get(parentId)
            : request.ParentReferenceId is { } parentReference ? logs.LatestByReference(parentReference)
            : null;
        var session = namedSession
            ?? (request.SessionReferenceId is { } reference ? sessions.GetOrCreateByReference(project.Id, reference)
            : parent?.SessionId is { } parentSession ? sessions.Get(parentSession)
            : null);

        return new GenerationPlan(request, project, session, request.ParentId ?? parent?.Id, environment, samples, calls);
    }

    private const string UnregisteredConfigId = "inline";

    private static void RequireProjectNamed(GenerationRequest request)
    {
        if (request.ProjectId is null && request.Project is null)
        {
            throw ValidationErrors.Single(["body", "project"], "either project or project_id is required", "value_error.missing");
        }
    }

    private static List<ModelConfigRecord> Repeat(ModelConfigRecord config, int count) => Enumerable.Repeat(config, count).ToList();

    /// <summary>
    /// The conversation of each distinct config, its templates filled from the inputs; every missing
    /// input is reported at <c>["body","inputs",name]</c>.
    /// </summary>
    private static Dictionary<string, Conversation> Converse(IReadOnlyList<ModelConfigRecord> sampleConfigs, GenerationRequest request)
    {
        var errors = new ValidationErrors();
        var reported = new HashSet<string>(StringComparer.Ordinal);
        var conversations = new Dictionary<string, Conversation>();
        foreach (var config in sampleConfigs.DistinctBy(c => c.Id))
        {
            foreach (var missing in request.Kind.Templates(config.Content).SelectMany(t => PromptTemplate.MissingInputs(t, request.Inputs)))
            {
                if (reported.Add(missing))
                {
                    errors.Add(["body", "inputs", missing], $"input '{missing}' is used by the {request.Kind.TemplateName} but missing from inputs", "value_error.missing");
                }
            }

            conversations[config.Id] = request.Kind.Converse(config.Content, request);
        }

        errors.ThrowIfAny();
        return conversations;
    }
}
