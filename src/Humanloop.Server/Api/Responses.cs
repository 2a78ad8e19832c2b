using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Humanloop.Server.Domain;

namespace Humanloop.Server.Api;

// The v4 response schemas (2024-07-12 snapshot). Property order follows the spec; names become
// snake_case through WireJson, and absent optional values are written as explicit nulls.

internal sealed record PageResponse<T>(IReadOnlyList<T> Records, int Page, int Size, int Total);

internal sealed record CategoricalFeedbackLabel(string Value, string Sentiment);

internal sealed record FeedbackTypeModel(string Type, IReadOnlyList<CategoricalFeedbackLabel>? Values);

internal sealed record ProjectResponse(
    string Id,
    string Name,
    ExperimentResponse? ActiveExperiment,
    ProjectConfigResponse? ActiveConfig,
    IReadOnlyList<object> Users,
    int DataCount,
    IReadOnlyList<FeedbackTypeModel> FeedbackTypes,
    string TeamId,
    string? ConfigType,
    IReadOnlyList<object> ActiveEvaluators,
    string? DirectoryId,
    DateTime CreatedAt,
    DateTime UpdatedAt);

internal sealed record ModelConfigResponse(
    string Id,
    JsonObject Other,
    string Type,
    string Name,
    string? Description,
    string Provider,
    string Model,
    int MaxTokens,
    double Temperature,
    double TopP,
    JsonNode? Stop,
    double PresencePenalty,
    double FrequencyPenalty,
    int? Seed,
    JsonObject? ResponseFormat,
    string? PromptTemplate,
    JsonArray? ChatTemplate,
    IReadOnlyList<object> ToolConfigs,
    JsonArray Tools,
    string Endpoint);

internal sealed record ProjectConfigResponse(
    string ProjectId,
    string ProjectName,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime LastUsed,
    IReadOnlyList<object> FeedbackStats,
    int NumDatapoints,
    string? ExperimentId,
    IReadOnlyList<object>? EvaluationAggregates,
    ModelConfigResponse Config);

internal sealed record GetModelConfigResponse(
    string ProjectId,
    string ProjectName,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime LastUsed,
    IReadOnlyList<object> FeedbackStats,
    int NumDatapoints,
    string? ExperimentId,
    IReadOnlyList<object>? EvaluationAggregates,
    ModelConfigResponse Config,
    string? TrialId,
    string? EnvironmentId);

internal sealed record BaseMetricResponse(
    string Id,
    string Name,
    string Description,
    string Code,
    bool Default,
    bool Active,
    DateTime CreatedAt,
    DateTime UpdatedAt);

internal sealed record ExperimentConfigResponse(
    double? Mean,
    double? Spread,
    int TrialsCount,
    bool Active,
    string Id,
    string DisplayName,
    ModelConfigResponse Config,
    DateTime CreatedAt,
    DateTime UpdatedAt);

internal sealed record ExperimentResponse(
    string Id,
    string ProjectId,
    string Name,
    string Status,
    IReadOnlyList<ExperimentConfigResponse> Configs,
    BaseMetricResponse Metric,
    IReadOnlyList<PositiveLabel> PositiveLabels,
    DateTime CreatedAt,
    DateTime UpdatedAt);

internal sealed record EnvironmentResponse(string Id, string Name, string Tag);

/// <summary>
/// The spec's flat fields, plus nested <c>environment</c>, <c>config</c> and <c>experiment</c>
/// objects (an extension that saves clients a second request).
/// </summary>
internal sealed record EnvironmentProjectConfigResponse(
    string ProjectId,
    string ProjectName,
    string? ModelConfigId,
    string? ModelConfigName,
    string? ExperimentId,
    string? ExperimentName,
    string EnvironmentId,
    string EnvironmentName,
    string EnvironmentTag,
    EnvironmentResponse Environment,
    ModelConfigResponse? Config,
    ExperimentResponse? Experiment);

internal sealed record Usage(int PromptTokens, int GenerationTokens, int TotalTokens);

/// <summary>A completion's data item; a chat's adds to it (and is written with its own fields, no type tag).</summary>
[JsonDerivedType(typeof(ChatDataResponse))]
internal record DataResponse(
    string Id,
    int Index,
    string Output,
    string RawOutput,
    JsonObject Inputs,
    string? FinishReason,
    string ModelConfigId,
    IReadOnlyList<object> ToolResults);

/// <summary>
/// <c>ChatDataResponse</c>: a data item plus the messages sent (left out of stream chunks), the
/// output message, and its tool calls again at the top (left out when there are none).
/// </summary>
internal sealed record ChatDataResponse : DataResponse
{
    public ChatDataResponse(DataResponse item)
        : base(item)
    {
    }

    // The serializer writes a derived type's own properties first; the order puts them after the base's, as in the spec.
    [JsonPropertyOrder(1)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ChatMessage>? Messages { get; init; }

    [JsonPropertyOrder(2)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ToolCall>? ToolCalls { get; init; }

    [JsonPropertyOrder(3)]
    public required ChatMessage OutputMessage { get; init; }
}

/// <summary>The response (and each stream chunk) of a completion; a chat's adds <c>tool_choice</c>.</summary>
[JsonDerivedType(typeof(ChatResponse))]
internal record CompletionResponse(
    string? ProjectId,
    int NumSamples,
    int? Logprobs,
    string? Suffix,
    string? User,
    IReadOnlyList<DataResponse> Data,
    Usage? Usage,
    JsonObject? Metadata,
    JsonArray ProviderResponses,
    JsonNode? ProviderRequest,
    string? SessionId);

/// <summary><c>ChatResponse</c>: a completion response whose items are chat items, echoing the request's <c>tool_choice</c>.</summary>
internal sealed record ChatResponse : CompletionResponse
{
    public ChatResponse(CompletionResponse response, JsonNode? toolChoice)
        : base(response)
    {
        ToolChoice = toolChoice;
    }

    [JsonPropertyOrder(1)]
    public JsonNode? ToolChoice { get; }
}

internal sealed record FeedbackResponse(string Type, JsonNode? Value, string DataId, string? User, DateTime CreatedAt, string Id);

/// <summary>A log as <c>GET /logs</c> returns it; the spec's fields plus <c>experiment_id</c> and <c>model_config_id</c>.</summary>
internal sealed record LogResponse
{
    public string? Project { get; init; }
    public required string ProjectId { get; init; }
    public string? SessionId { get; init; }
    public string? SessionReferenceId { get; init; }
    public string? ParentId { get; init; }
    public string? ParentReferenceId { get; init; }
    public required JsonObject Inputs { get; init; }
    public string? Source { get; init; }
    public JsonObject? Metadata { get; init; }
    public required bool Save { get; init; }
    public string? SourceDatapointId { get; init; }
    public required string Id { get; init; }
    public string? ReferenceId { get; init; }
    public string? TrialId { get; init; }
    public JsonArray? Messages { get; init; }
    public string? Output { get; init; }
    public JsonNode? Judgment { get; init; }
    public required string ConfigId { get; init; }
    /// <summary>A <c>ModelConfigResponse</c>, or a <c>ToolConfigResponse</c> for a posted tool call's log.</summary>
    public object? Config { get; init; }
    public string? Environment { get; init; }
    public required IReadOnlyList<FeedbackResponse> Feedback { get; init; }
    public required DateTime CreatedAt { get; init; }
    public string? Error { get; init; }
    public double? Duration { get; init; }
    public JsonObject? OutputMessage { get; init; }
    public int? PromptTokens { get; init; }
    public int? OutputTokens { get; init; }
    public double? PromptCost { get; init; }
    public double? OutputCost { get; init; }
    public JsonNode? ProviderRequest { get; init; }
    public JsonNode? ProviderResponse { get; init; }
    public string? User { get; init; }
    public double? ProviderLatency { get; init; }
    public int? Tokens { get; init; }
    public string? RawOutput { get; init; }
    public string? FinishReason { get; init; }
    public required IReadOnlyList<object> MetricValues { get; init; }
    public required IReadOnlyList<object> Tools { get; init; }
    public JsonNode? ToolChoice { get; init; }
    public required IReadOnlyList<EvaluationResultResponse> EvaluationResults { get; init; }
    public required string ObservabilityStatus { get; init; }
    public required DateTime UpdatedAt { get; init; }
    public required IReadOnlyList<string> BatchIds { get; init; }
    public string? ExperimentId { get; init; }
    public string? ModelConfigId { get; init; }
}

internal sealed record DatasetResponse(string Id, string ProjectId, string Name, string Description, int DatapointCount, DateTime CreatedAt, DateTime UpdatedAt);

internal sealed record DatapointResponse(string Id, string DatasetId, JsonObject Inputs, JsonArray Messages, JsonObject Target);

/// <summary><c>EvaluatorResponse</c>; <c>logging_project</c> is always null here (evaluator logs are not kept in a project).</summary>
internal sealed record EvaluatorResponse(
    string Name,
    string Description,
    string ArgumentsType,
    string ReturnType,
    string? Code,
    ModelConfigResponse? ModelConfig,
    string Type,
    string Id,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    ProjectResponse? LoggingProject);

/// <summary>
/// <c>EvaluationResponse</c>. <c>evaluator_aggregates</c> is left out unless asked for; <c>status_reason</c> (why a run
/// failed) is an extension: the spec has no place for it.
/// </summary>
internal sealed record EvaluationResponse(
    string Id,
    string Status,
    ModelConfigResponse Config,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    IReadOnlyList<EvaluatorResponse> Evaluators,
    DatasetResponse Dataset,
    string DatasetVersionId,
    DatasetResponse DatasetSnapshot,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ModelConfigEvaluatorAggregateResponse>? EvaluatorAggregates,
    object? FeedbackAggregates,
    string? StatusReason);

/// <summary>One evaluator's aggregate over an evaluation's results: the share of true results, or the mean; null without results.</summary>
internal sealed record ModelConfigEvaluatorAggregateResponse(string ModelConfigId, string EvaluatorId, string EvaluatorVersionId, double? AggregateValue);

/// <summary><c>EvaluationResultResponse</c>. Evaluators have no versions here: <c>evaluator_version_id</c> is the evaluator's id.</summary>
internal sealed record EvaluationResultResponse(
    string Id,
    string EvaluatorId,
    string EvaluatorVersionId,
    string EvaluationId,
    string LogId,
    LogResponse? Log,
    string? VersionId,
    object? Version,
    JsonNode? Value,
    string? Error,
    DateTime UpdatedAt,
    DateTime CreatedAt,
    LogResponse? LlmEvaluatorLog);

/// <summary>A datapoint of an evaluation's snapshot, with its (latest) log and that log's results.</summary>
internal sealed record EvaluationDatapointSnapshotResponse(DatapointResponse Datapoint, LogResponse? Log, IReadOnlyList<EvaluationResultResponse> EvaluationResults);

internal sealed record CreateLogResponse(string Id, string ProjectId, string? SessionId);

/// <summary>
/// <c>ToolConfigResponse</c>: a posted log's tool config. Tools are never run here: <c>status</c> is always
/// <c>committed</c>, <c>created_by</c>, <c>setup_schema</c> and <c>signature</c> null; <c>description</c> is an extension
/// (the request has it, the spec's response does not).
/// </summary>
internal sealed record ToolConfigResponse(
    string Id,
    JsonObject? Other,
    string Type,
    object? CreatedBy,
    string Status,
    string Name,
    string? Source,
    string? SourceCode,
    JsonObject? SetupSchema,
    JsonObject? Parameters,
    string? Signature,
    bool IsPreset,
    string? PresetName,
    string? Description);

internal sealed record CreateSessionResponse(string Id);

/// <summary><c>SessionProjectResponse</c>: a project with logs in a session (its <c>type</c>, a v4 <c>FileType</c>, is always <c>prompt</c>).</summary>
internal sealed record SessionProjectResponse(string Id, string Name, string Type);

/// <summary><c>SessionResponse</c>: the session, with what its logs say of it.</summary>
internal sealed record SessionResponse(
    string Id,
    string? ReferenceId,
    IReadOnlyList<SessionProjectResponse> Projects,
    int DatapointsCount,
    JsonObject? FirstInputs,
    string? LastOutput,
    DateTime CreatedAt,
    DateTime UpdatedAt);
