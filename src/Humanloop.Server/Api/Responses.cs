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

internal sealed record LogResponse(
    string? Project,
    string ProjectId,
    string? SessionId,
    string? SessionReferenceId,
    string? ParentId,
    string? ParentReferenceId,
    JsonObject Inputs,
    string? Source,
    JsonObject? Metadata,
    bool Save,
    string? SourceDatapointId,
    string Id,
    string? ReferenceId,
    string? TrialId,
    JsonArray? Messages,
    string? Output,
    JsonNode? Judgment,
    string ConfigId,
    ModelConfigResponse? Config,
    string? Environment,
    IReadOnlyList<FeedbackResponse> Feedback,
    DateTime CreatedAt,
    string? Error,
    double? Duration,
    JsonObject? OutputMessage,
    int? PromptTokens,
    int? OutputTokens,
    double? PromptCost,
    double? OutputCost,
    JsonNode? ProviderRequest,
    JsonNode? ProviderResponse,
    string? User,
    double? ProviderLatency,
    int? Tokens,
    string? RawOutput,
    string? FinishReason,
    IReadOnlyList<object> MetricValues,
    IReadOnlyList<object> Tools,
    JsonNode? ToolChoice,
    IReadOnlyList<object> EvaluationResults,
    string ObservabilityStatus,
    DateTime UpdatedAt,
    IReadOnlyList<string> BatchIds,
    string? ExperimentId,
    string? ModelConfigId);
