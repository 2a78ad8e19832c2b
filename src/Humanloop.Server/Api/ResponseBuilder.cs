using System.Text.Json.Nodes;
using Humanloop.Server.Domain;
using Humanloop.Server.Storage;

namespace Humanloop.Server.Api;

/// <summary>Turns stored records into v4 response objects, looking up what they reference.</summary>
internal sealed class ResponseBuilder(
    ProjectStore projects,
    ModelConfigStore configs,
    ExperimentStore experiments,
    DeploymentStore deployments,
    LogStore logs,
    EvaluationStore evaluations,
    ToolConfigStore toolConfigs)
{
    public const string TeamId = "tm_local";

    public ProjectResponse Project(ProjectRecord project)
    {
        // The deployment to the default environment is what the API called the active config or experiment.
        var active = deployments.Get(project.Id, DeploymentEnvironments.Production.Id);
        var activeConfig = active?.ConfigId is { } configId && configs.Get(configId) is { } config ? ProjectConfig(config, project) : null;
        var activeExperiment = active?.ExperimentId is { } experimentId && experiments.Get(experimentId) is { } experiment ? Experiment(experiment) : null;
        return new ProjectResponse(
            project.Id,
            project.Name,
            activeExperiment,
            activeConfig,
            [],
            projects.DataCount(project.Id),
            FeedbackTypes(project),
            TeamId,
            activeConfig is not null || activeExperiment is not null ? "model" : null,
            [],
            project.DirectoryId,
            project.CreatedAt,
            project.UpdatedAt);
    }

    public static IReadOnlyList<FeedbackTypeModel> FeedbackTypes(ProjectRecord project) => project.EffectiveFeedbackTypes.Select(FeedbackType).ToList();

    public static FeedbackTypeModel FeedbackType(FeedbackTypeDefinition type) =>
        new(type.Type, type.Values?.Select(v => new CategoricalFeedbackLabel(v.Value, v.Sentiment)).ToList());

    public static ToolConfigResponse ToolConfig(ToolConfigRecord config)
    {
        var c = config.Content;
        return new ToolConfigResponse(config.Id, (JsonObject?)c.Other?.DeepClone(), "tool", null, "committed", c.Name, c.Source, c.SourceCode, null,
            (JsonObject?)c.Parameters?.DeepClone(), null, c.PresetName is not null, c.PresetName, c.Description);
    }

    public static SessionResponse Session(SessionSummary summary) => new(
        summary.Session.Id,
        summary.Session.ReferenceId,
        summary.Projects.Select(p => new SessionProjectResponse(p.Id, p.Name, "prompt")).ToList(),
        summary.LogCount,
        summary.FirstInputs,
        summary.LastOutput,
        summary.Session.CreatedAt,
        summary.UpdatedAt);

    public static ModelConfigResponse ModelConfig(ModelConfigRecord config) => ModelConfig(config.Id, config.Content);

    /// <summary>A config by id and content, for configs kept outside a project (an llm evaluator's).</summary>
    public static ModelConfigResponse ModelConfig(string id, ModelConfigContent c)
    {
        return new ModelConfigResponse(
            id,
            (JsonObject)c.Other.DeepClone(),
            "model",
            ModelConfigRecord.NameFor(id, c),
            c.Description,
            c.Provider,
            c.Model,
            c.MaxTokens,
            c.Temperature,
            c.TopP,
            c.Stop?.DeepClone(),
            c.PresencePenalty,
            c.FrequencyPenalty,
            c.Seed,
            (JsonObject?)c.ResponseFormat?.DeepClone(),
            c.PromptTemplate,
            (JsonArray?)c.ChatTemplate?.DeepClone(),
            [],
            (JsonArray?)c.Tools?.DeepClone() ?? [],
            c.Endpoint);
    }

    public ProjectConfigResponse ProjectConfig(ModelConfigRecord config, ProjectRecord? project = null, string? experimentId = null)
    {
        project ??= projects.GetRequired(config.ProjectId);
        var (count, lastUsed) = configs.Usage(config.Id, project.Id);
        return new ProjectConfigResponse(project.Id, project.Name, config.CreatedAt, config.UpdatedAt, lastUsed ?? config.CreatedAt,
            [], count, experimentId, null, ModelConfig(config));
    }

    public GetModelConfigResponse GetModelConfig(ModelConfigRecord config, string? experimentId, string? trialId, string? environmentId)
    {
        var project = projects.GetRequired(config.ProjectId);
        var (count, lastUsed) = configs.Usage(config.Id, project.Id);
        return new GetModelConfigResponse(project.Id, project.Name, config.CreatedAt, config.UpdatedAt, lastUsed ?? config.CreatedAt,
            [], count, experimentId, null, ModelConfig(config), trialId, environmentId);
    }

    public ExperimentResponse Experiment(ExperimentRecord experiment)
    {
        var stats = experiments.Stats(experiment).ToDictionary(s => s.ConfigId);
        var items = new List<ExperimentConfigResponse>();
        foreach (var registration in experiments.Configs(experiment.Id))
        {
            if (configs.Get(registration.ConfigId) is not { } config)
            {
                continue;
            }

            var s = stats.GetValueOrDefault(config.Id);
            var posterior = BetaPosterior.From(s?.Positives ?? 0, s?.TrialsWithFeedback ?? 0);
            items.Add(new ExperimentConfigResponse(posterior.Mean, posterior.Spread, s?.Trials ?? 0, registration.Active, config.Id,
                config.DisplayName, ModelConfig(config), registration.CreatedAt, registration.UpdatedAt));
        }

        var status = items.Any(i => i.TrialsCount > 0) ? "In progress" : "Initialized";
        var metric = new BaseMetricResponse(
            experiment.MetricId,
            "Positive feedback rate",
            "Share of the experiment's trials with feedback whose feedback matches one of its positive labels.",
            "",
            true,
            true,
            experiment.CreatedAt,
            experiment.UpdatedAt);
        return new ExperimentResponse(experiment.Id, experiment.ProjectId, experiment.Name, status, items, metric,
            experiment.PositiveLabels, experiment.CreatedAt, experiment.UpdatedAt);
    }

    public EnvironmentProjectConfigResponse Deployment(ProjectRecord project, DeploymentEnvironment environment, DeploymentRecord? deployment)
    {
        var config = deployment?.ConfigId is { } configId ? configs.Get(configId) : null;
        var experiment = deployment?.ExperimentId is { } experimentId ? experiments.Get(experimentId) : null;
        return new EnvironmentProjectConfigResponse(
            project.Id,
            project.Name,
            config?.Id,
            config?.DisplayName,
            experiment?.Id,
            experiment?.Name,
            environment.Id,
            environment.Name,
            environment.Tag,
            new EnvironmentResponse(environment.Id, environment.Name, environment.Tag),
            config is null ? null : ModelConfig(config),
            experiment is null ? null : Experiment(experiment));
    }

    public static FeedbackResponse Feedback(FeedbackRecord feedback) =>
        new(feedback.Type, feedback.Value?.DeepClone(), feedback.LogId, feedback.User, feedback.CreatedAt, feedback.Id);

    public LogResponse Log(LogRecord log, ProjectRecord? project = null)
    {
        project ??= projects.Get(log.ProjectId);
        object? config = configs.Get(log.ConfigId) is { } model ? ModelConfig(model)
            : toolConfigs.Get(log.ConfigId) is { } tool ? ToolConfig(tool)
            : null;
        return new LogResponse
        {
            Project = project?.Name,
            ProjectId = log.ProjectId,
            SessionId = log.SessionId,
            SessionReferenceId = log.SessionReferenceId,
            ParentId = log.ParentId,
            ParentReferenceId = log.ParentReferenceId,
            Inputs = (JsonObject)log.Inputs.DeepClone(),
            Source = log.Source,
            Metadata = (JsonObject?)log.Metadata?.DeepClone(),
            Save = log.Save,
            SourceDatapointId = log.SourceDatapointId,
            Id = log.Id,
            ReferenceId = log.ReferenceId,
            TrialId = log.TrialId,
            Messages = (JsonArray?)log.Messages?.DeepClone(),
            Output = log.Output,
            Judgment = log.Judgment?.DeepClone(),
            ConfigId = log.ConfigId,
            Config = config,
            Environment = log.Environment,
            Feedback = logs.Feedback(log.Id).Select(Feedback).ToList(),
            CreatedAt = log.CreatedAt,
            Error = log.Error,
            Duration = log.ProviderLatency,
            OutputMessage = (JsonObject?)log.OutputMessage?.DeepClone(),
            PromptTokens = log.PromptTokens,
            OutputTokens = log.OutputTokens,
            PromptCost = log.PromptCost,
            OutputCost = log.OutputCost,
            ProviderRequest = log.ProviderRequest?.DeepClone(),
            ProviderResponse = log.ProviderResponse?.DeepClone(),
            User = log.User,
            ProviderLatency = log.ProviderLatency,
            Tokens = log.PromptTokens + log.OutputTokens,
            RawOutput = log.RawOutput,
            FinishReason = log.FinishReason,
            MetricValues = [],
            Tools = [],
            ToolChoice = log.ToolChoice?.DeepClone(),
            EvaluationResults = log.EvaluationId is null ? [] : evaluations.Results([log.Id]).Select(r => EvaluationResult(r, null)).ToList(),
            ObservabilityStatus = "completed",
            UpdatedAt = log.UpdatedAt,
            BatchIds = [],
            ExperimentId = log.ExperimentId,
            ModelConfigId = log.ConfigId,
        };
    }

    /// <summary>A result; its <c>log</c> is left out (the caller shows the log), the judging call's log is given or null.</summary>
    public static EvaluationResultResponse EvaluationResult(EvaluationResultRecord result, LogResponse? judgeLog) => new(
        result.Id,
        result.EvaluatorId,
        result.EvaluatorId,
        result.EvaluationId,
        result.LogId,
        null,
        null,
        null,
        result.Value?.DeepClone(),
        result.Error,
        result.UpdatedAt,
        result.CreatedAt,
        judgeLog);
}
