using System.Text.Json.Nodes;
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

internal sealed record DataResponse(
    string Id,
    int Index,
    string Output,
    string RawOutput,
    JsonObject Inputs,
    string? FinishReason,
    string ModelConfigId,
    IReadOnlyList<object> ToolResults);

internal sealed record CompletionResponse(
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
    public ModelConfigResponse? Config { get; init; }
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
    public required IReadOnlyList<object> EvaluationResults { get; init; }
    public required string ObservabilityStatus { get; init; }
    public required DateTime UpdatedAt { get; init; }
    public required IReadOnlyList<string> BatchIds { get; init; }
    public string? ExperimentId { get; init; }
    public string? ModelConfigId { get; init; }
}
