using System.Text.Json.Nodes;
using Humanloop.Server.Domain;
using Humanloop.Server.Http;
using Humanloop.Server.Storage;

namespace Humanloop.Server.Api;

/// <summary>
/// Writes the logs of <c>POST /logs</c>: calls made elsewhere, recorded with their config, inputs, output, timing,
/// tokens, session, parent and feedback. Every request of a batch is checked and every id it names looked up before
/// anything is written, so a request that fails changes nothing.
/// </summary>
internal sealed class LogIntake(
    ConfigRegistry registry,
    ModelConfigStore configs,
    ToolConfigStore toolConfigs,
    ExperimentStore experiments,
    SessionStore sessions,
    LogStore logs,
    TimeProvider time)
{
    /// <summary>What checking a request found: its project (null: created by name when written), config and trial.</summary>
    private sealed record Resolved(LogRequestFields Request, ProjectRecord? Project, string? ConfigId, TrialRecord? Trial, SessionRecord? Session);

    public IReadOnlyList<CreateLogResponse> Write(IReadOnlyList<LogRequestFields> requests)
    {
        var resolved = requests.Select(Resolve).ToList();
        return resolved.Select(Insert).ToList();
    }

    /// <summary>
    /// What a request needs beyond its types: a config (inline, by id, or a trial's) and a project (named, or the
    /// project of the config or trial it names). Reported with the other 422s, before any lookup.
    /// </summary>
    public static void Check(LogRequestFields request, ValidationErrors errors)
    {
        var namesConfig = request.ModelConfig is not null || request.ToolConfig is not null || request.ConfigId is not null;
        if (!namesConfig && request.TrialId is null)
        {
            errors.Add([.. request.Location, "config"], "config is required unless config_id or trial_id is given", "value_error.missing");
        }

        if (request.Project is null && request.ProjectId is null && request.ConfigId is null && request.TrialId is null)
        {
            errors.Add([.. request.Location, "project"], "either project or project_id is required (or a config_id or trial_id whose project is meant)", "value_error.missing");
        }
    }

    private Resolved Resolve(LogRequestFields request)
    {
        var trial = request.TrialId is { } trialId ? experiments.FindTrial(trialId) : null;
        var inlineConfig = request.ModelConfig is not null || request.ToolConfig is not null;
        if (!inlineConfig && request.ConfigId is null && trial is null)
        {
            throw ApiException.NotFound("Trial", request.TrialId!);
        }

        // A stored config (by id) may be a model config or a tool config; either way its project is the fallback project.
        // An inline config wins over config_id, which must still exist.
        string? storedConfigProject = null;
        if (request.ConfigId is { } configId)
        {
            storedConfigProject = configs.Get(configId)?.ProjectId ?? toolConfigs.Get(configId)?.ProjectId
                ?? throw ApiException.NotFound("Config", configId);
        }

        var project = registry.FindProject(request.ProjectId, request.Project);
        if (project is null && request.Project is null)
        {
            // Without a project, the log goes where its stored config or its trial's experiment lives.
            var fallback = storedConfigProject ?? (trial is null ? null : experiments.GetRequired(trial.ExperimentId).ProjectId);
            project = registry.ResolveProject(fallback ?? throw ApiException.NotFound("Trial", request.TrialId!), null);
        }

        var session = request.SessionId is { } sessionId ? sessions.GetRequired(sessionId) : null;
        return new Resolved(request, project, inlineConfig ? null : request.ConfigId, trial, session);
    }

    private CreateLogResponse Insert(Resolved item)
    {
        var request = item.Request;
        var project = item.Project ?? registry.ResolveProject(null, request.Project)!;
        var configId = request.ModelConfig is { } model ? registry.Register(project, model).Id
            : request.ToolConfig is { } tool ? toolConfigs.Register(project.Id, tool).Id
            : item.ConfigId ?? item.Trial!.ConfigId;

        // A parent named by reference is the latest log with that reference, earlier logs of this batch included.
        var parent = request.ParentId is { } parentId ? logs.Get(parentId)
            : request.ParentReferenceId is { } parentReference ? logs.LatestByReference(parentReference)
            : null;
        var session = item.Session
            ?? (request.SessionReferenceId is { } reference ? sessions.GetOrCreateByReference(project.Id, reference)
            : parent?.SessionId is { } parentSession ? sessions.Get(parentSession)
            : null);

        var now = time.GetUtcNow().UtcDateTime;
        var log = new LogRecord
        {
            Id = Ids.New(Ids.Log),
            ProjectId = project.Id,
            SessionId = session?.Id,
            SessionReferenceId = session?.ReferenceId,
            ParentId = request.ParentId ?? parent?.Id,
            ParentReferenceId = request.ParentReferenceId,
            ConfigId = configId,
            ExperimentId = item.Trial?.ExperimentId,
            TrialId = request.TrialId,
            Environment = request.Environment,
            Inputs = request.Inputs ?? [],
            Messages = request.Messages,
            Output = request.Output,
            OutputMessage = request.OutputMessage,
            Source = request.Source,
            Metadata = request.Metadata,
            SourceDatapointId = request.SourceDatapointId,
            ReferenceId = request.ReferenceId,
            Judgment = request.Judgment,
            Error = request.Error,
            Save = request.Save,
            PromptTokens = request.PromptTokens,
            OutputTokens = request.OutputTokens,
            PromptCost = request.PromptCost,
            OutputCost = request.OutputCost,
            ProviderLatency = request.Duration,
            ProviderRequest = request.Save ? request.ProviderRequest : null,
            ProviderResponse = request.Save ? request.ProviderResponse : null,
            CreatedAt = request.CreatedAt ?? now,
            UpdatedAt = now,
        };
        logs.Insert(log);
        foreach (var feedback in request.Feedback)
        {
            logs.AddFeedback(log.Id, feedback.Type, feedback.Value, feedback.User, feedback.CreatedAt, feedback.Unset);
        }

        return new CreateLogResponse(log.Id, log.ProjectId, log.SessionId);
    }
}
