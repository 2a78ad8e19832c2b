using System.Text.Json.Nodes;
using Humanloop.Server.Domain;

namespace Humanloop.Server.Storage;

internal sealed record ProjectRecord(
    string Id,
    string Name,
    string? DirectoryId,
    IReadOnlyList<PositiveLabel> PositiveLabels,
    DateTime CreatedAt,
    DateTime UpdatedAt)
{
    /// <summary>The project's feedback types; null until they are first changed (then the defaults apply).</summary>
    public IReadOnlyList<FeedbackTypeDefinition>? FeedbackTypes { get; init; }

    public IReadOnlyList<FeedbackTypeDefinition> EffectiveFeedbackTypes => FeedbackTypes ?? FeedbackTypeDefinition.Defaults;
}

internal sealed record ModelConfigRecord(string Id, string ProjectId, ModelConfigContent Content, DateTime CreatedAt, DateTime UpdatedAt)
{
    /// <summary>The stored name, or a generated one (the API generated names when none was given).</summary>
    public string DisplayName => NameFor(Id, Content);

    public static string NameFor(string id, ModelConfigContent content) => content.Name ?? $"{content.Model}-{id[^6..]}";
}

internal sealed record ExperimentRecord(
    string Id,
    string ProjectId,
    string Name,
    IReadOnlyList<PositiveLabel> PositiveLabels,
    string MetricId,
    DateTime CreatedAt,
    DateTime UpdatedAt);

internal sealed record ExperimentConfigRecord(string ExperimentId, string ConfigId, bool Active, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>Per config of an experiment: how many trials it had, how many got feedback, how many were positive.</summary>
internal sealed record TrialStats(string ConfigId, int Trials, int TrialsWithFeedback, int Positives);

internal sealed record DeploymentRecord(string ProjectId, string EnvironmentId, string? ConfigId, string? ExperimentId, DateTime UpdatedAt);

/// <summary>A session; <see cref="ProjectId"/> is the project whose reference made it (null when made by POST /sessions).</summary>
internal sealed record SessionRecord(string Id, string? ProjectId, string? ReferenceId, DateTime CreatedAt);

/// <summary>What a session's listing shows of its logs: how many, which projects, the first inputs, the last output.</summary>
internal sealed record SessionSummary(
    SessionRecord Session,
    int LogCount,
    IReadOnlyList<(string Id, string Name)> Projects,
    JsonObject? FirstInputs,
    string? LastOutput,
    DateTime UpdatedAt);

/// <summary>A trial handed out by sampling an experiment (its config), so a log posted later with its id can name it.</summary>
internal sealed record TrialRecord(string Id, string ExperimentId, string ConfigId, DateTime CreatedAt);

/// <summary>A tool config (v4 <c>ToolConfigRequest</c>) that a posted log used, deduplicated per project like model configs.</summary>
internal sealed record ToolConfigRecord(string Id, string ProjectId, ToolConfigContent Content, DateTime CreatedAt, DateTime UpdatedAt);

internal sealed record LogRecord
{
    public required string Id { get; init; }
    public required string ProjectId { get; init; }
    public string? SessionId { get; init; }
    public string? SessionReferenceId { get; init; }
    public string? ParentId { get; init; }
    public required string ConfigId { get; init; }
    public string? ExperimentId { get; init; }
    public string? TrialId { get; init; }
    public string? Environment { get; init; }
    public required JsonObject Inputs { get; init; }

    /// <summary>For chat logs: the messages sent, the answer as a message, and the request's tool_choice.</summary>
    public JsonArray? Messages { get; init; }

    public string? Output { get; init; }
    public string? RawOutput { get; init; }
    public JsonObject? OutputMessage { get; init; }
    public JsonNode? ToolChoice { get; init; }
    public string? FinishReason { get; init; }
    public string? Source { get; init; }
    public JsonObject? Metadata { get; init; }
    public string? User { get; init; }
    public string? SourceDatapointId { get; init; }

    /// <summary>The evaluation the log was generated or posted for (its datapoint is <see cref="SourceDatapointId"/>).</summary>
    public string? EvaluationId { get; init; }

    /// <summary>What went wrong, for a log that records a failed generation (then <see cref="Output"/> is null).</summary>
    public string? Error { get; init; }

    /// <summary>The caller's own id for the log (<c>PATCH /logs?reference_id=</c>, a child's <c>parent_reference_id</c>).</summary>
    public string? ReferenceId { get; init; }

    /// <summary>The parent reference as sent; <see cref="ParentId"/> is the log it named, when one was found.</summary>
    public string? ParentReferenceId { get; init; }

    /// <summary>A posted log's judgment: true, false or a number.</summary>
    public JsonNode? Judgment { get; init; }

    public double? PromptCost { get; init; }
    public double? OutputCost { get; init; }
    public bool Save { get; init; } = true;
    public int? PromptTokens { get; init; }
    public int? OutputTokens { get; init; }
    public double? ProviderLatency { get; init; }
    public JsonNode? ProviderRequest { get; init; }
    public JsonNode? ProviderResponse { get; init; }
    public required DateTime CreatedAt { get; init; }
    public required DateTime UpdatedAt { get; init; }
}

internal sealed record FeedbackRecord(string Id, string LogId, string Type, JsonNode? Value, string? User, DateTime CreatedAt)
{
    /// <summary>The value as text, for matching against positive labels ("true", "5", "good").</summary>
    public static string? ValueText(JsonNode? value) => value switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => v.GetValue<string>(),
        _ => value.ToJsonString(),
    };
}

internal sealed record DatasetRecord(string Id, string ProjectId, string Name, string Description, int DatapointCount, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>A test case: template inputs, chat messages and the target the evaluators compare against.</summary>
internal sealed record DatapointRecord(string Id, string DatasetId, JsonObject Inputs, JsonArray Messages, JsonObject Target, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>
/// An evaluator as stored: an <c>llm</c> evaluator keeps its model config (with the config id it
/// was given) here, not in a project's configs, since evaluators belong to no project.
/// </summary>
internal sealed record EvaluatorRecord
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Description { get; init; }
    public required string Type { get; init; }
    public required string ArgumentsType { get; init; }
    public required string ReturnType { get; init; }
    public string? Code { get; init; }
    public string? ModelConfigId { get; init; }
    public ModelConfigContent? ModelConfig { get; init; }
    public required DateTime CreatedAt { get; init; }
    public required DateTime UpdatedAt { get; init; }
}

/// <summary>
/// An evaluation run: a config judged on a snapshot of a dataset's datapoints by evaluators. The server
/// generates the logs itself when <see cref="HlGenerated"/>; otherwise a client posts them.
/// </summary>
internal sealed record EvaluationRecord
{
    public required string Id { get; init; }
    public required string ProjectId { get; init; }
    public required string ConfigId { get; init; }
    public required string DatasetId { get; init; }
    public required string DatasetVersionId { get; init; }

    /// <summary>The dataset as it was when the evaluation was created (its datapoints are the snapshot).</summary>
    public required DatasetRecord DatasetSnapshot { get; init; }

    public required bool HlGenerated { get; init; }
    public required string Status { get; init; }

    /// <summary>Why the run failed (or who stopped it); null otherwise.</summary>
    public string? StatusReason { get; init; }

    public required DateTime CreatedAt { get; init; }
    public required DateTime UpdatedAt { get; init; }
}

/// <summary>One evaluator's verdict on one log of an evaluation: a value, or an error; at most one per (log, evaluator).</summary>
internal sealed record EvaluationResultRecord
{
    public required string Id { get; init; }
    public required string EvaluationId { get; init; }
    public required string LogId { get; init; }
    public required string EvaluatorId { get; init; }
    public JsonNode? Value { get; init; }
    public string? Error { get; init; }

    /// <summary>The log of the generation that judged (an llm evaluator's or a graded check's call); null otherwise.</summary>
    public string? JudgeLogId { get; init; }

    public required DateTime CreatedAt { get; init; }
    public required DateTime UpdatedAt { get; init; }
}
