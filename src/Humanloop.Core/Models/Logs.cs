using System;
using System.Collections;
using System.Collections.Generic;
using System.Text.Json.Serialization;
using Humanloop.Json;

namespace Humanloop;

/// <summary>
/// A log (<c>LogResponse</c>): one generated sample with its inputs, output, config and feedback. Its
/// <see cref="Id"/> is the <c>data_…</c> id a completion's data item carries.
/// </summary>
public sealed class Log
{
    private IReadOnlyList<Feedback> _feedback = [];
    private IReadOnlyList<string> _batchIds = [];

    /// <summary>Log id (<c>data_…</c>).</summary>
    public string? Id { get; init; }

    /// <summary>The log's id again, under the name of the cmdlets' -LogId parameters, so that piping this
    /// object binds that parameter by property name.</summary>
    [JsonIgnore]
    public string? LogId => Id;

    /// <summary>The project's id.</summary>
    public string? ProjectId { get; init; }

    /// <summary>The project's name.</summary>
    public string? Project { get; init; }

    /// <summary>The session the log belongs to, if any.</summary>
    public string? SessionId { get; init; }

    /// <summary>The caller's session key, if any.</summary>
    public string? SessionReferenceId { get; init; }

    /// <summary>The parent log inside a session, if any.</summary>
    public string? ParentId { get; init; }

    /// <summary>The caller's reference to the parent log, if any.</summary>
    public string? ParentReferenceId { get; init; }

    /// <summary>The caller's own reference for this log, if any.</summary>
    public string? ReferenceId { get; init; }

    /// <summary>The template inputs.</summary>
    [JsonConverter(typeof(FreeFormDictionaryConverter))]
    public IDictionary? Inputs { get; init; }

    /// <summary>Where the call came from.</summary>
    public string? Source { get; init; }

    /// <summary>Metadata stored with the log.</summary>
    [JsonConverter(typeof(FreeFormDictionaryConverter))]
    public IDictionary? Metadata { get; init; }

    /// <summary>Whether the payloads were stored.</summary>
    public bool? Save { get; init; }

    /// <summary>The dataset datapoint the log derives from, if any.</summary>
    public string? SourceDatapointId { get; init; }

    /// <summary>The experiment trial the log belongs to, if any.</summary>
    public string? TrialId { get; init; }

    /// <summary>The experiment the log was sampled for, if any (reported by the local server).</summary>
    public string? ExperimentId { get; init; }

    /// <summary>The chat messages, for chat logs: dictionaries.</summary>
    [JsonConverter(typeof(FreeFormArrayConverter))]
    public object?[]? Messages { get; init; }

    /// <summary>The output, trimmed.</summary>
    public string? Output { get; init; }

    /// <summary>The output as generated.</summary>
    public string? RawOutput { get; init; }

    /// <summary>Why generation stopped: <c>stop</c>, <c>length</c>, …</summary>
    public string? FinishReason { get; init; }

    /// <summary>The config that produced the log.</summary>
    public string? ConfigId { get; init; }

    /// <summary>The config that produced the log, as reported by servers that name it so (same value as <see cref="ConfigId"/>).</summary>
    public string? ModelConfigId { get; init; }

    /// <summary>The config itself.</summary>
    public ModelConfig? Config { get; init; }

    /// <summary>The environment whose deployment served the call, if any.</summary>
    public string? Environment { get; init; }

    /// <summary>Feedback recorded on the log.</summary>
    public IReadOnlyList<Feedback> Feedback { get => _feedback; init => _feedback = value ?? []; }

    /// <summary>The error, when generation failed.</summary>
    public string? Error { get; init; }

    /// <summary>How long the call took, in seconds.</summary>
    public double? Duration { get; init; }

    /// <summary>How long the provider took, in seconds.</summary>
    public double? ProviderLatency { get; init; }

    /// <summary>Tokens in the prompt.</summary>
    public int? PromptTokens { get; init; }

    /// <summary>Tokens generated.</summary>
    public int? OutputTokens { get; init; }

    /// <summary>Prompt plus generated tokens.</summary>
    public int? Tokens { get; init; }

    /// <summary>The prompt's cost, when known.</summary>
    public double? PromptCost { get; init; }

    /// <summary>The output's cost, when known.</summary>
    public double? OutputCost { get; init; }

    /// <summary>The chat output message, for chat logs.</summary>
    [JsonConverter(typeof(FreeFormDictionaryConverter))]
    public IDictionary? OutputMessage { get; init; }

    /// <summary>The raw request sent to the provider.</summary>
    [JsonConverter(typeof(FreeFormValueConverter))]
    public object? ProviderRequest { get; init; }

    /// <summary>The provider's raw response.</summary>
    [JsonConverter(typeof(FreeFormValueConverter))]
    public object? ProviderResponse { get; init; }

    /// <summary>The end-user id.</summary>
    public string? User { get; init; }

    /// <summary>Processing state of the log, for example <c>completed</c>.</summary>
    public string? ObservabilityStatus { get; init; }

    /// <summary>Batches the log belongs to.</summary>
    public IReadOnlyList<string> BatchIds { get => _batchIds; init => _batchIds = value ?? []; }

    /// <summary>When the log was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>When the log (or its feedback) last changed.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <inheritdoc />
    public override string ToString() => Output ?? string.Empty;
}

/// <summary>Narrows <c>GET /logs</c>; every criterion is optional.</summary>
public sealed class LogFilter
{
    /// <summary>Text the server looks for in the logs (on the local server: in the output or the inputs).</summary>
    public string? Search { get; set; }

    /// <summary>Only logs created at or after this moment.</summary>
    public DateTimeOffset? Since { get; set; }

    /// <summary>Only logs created at or before this moment.</summary>
    public DateTimeOffset? Until { get; set; }
}

/// <summary>
/// A log the client made itself (<c>LogRequest</c>): the body of <c>POST /logs</c>, and the log of
/// <c>POST /evaluations/{id}/log</c>. Every field is optional; the API needs a config, given inline
/// (<see cref="Config"/>), by id (<see cref="ConfigId"/>) or through an experiment trial (<see cref="TrialId"/>).
/// </summary>
public sealed class LogRequest
{
    /// <summary>The project, by name; the server creates it when none has this name.</summary>
    public string? Project { get; set; }

    /// <summary>The project, by id.</summary>
    public string? ProjectId { get; set; }

    /// <summary>The session (<c>sesh_…</c>) the log belongs to.</summary>
    public string? SessionId { get; set; }

    /// <summary>The caller's own session key; logs with the same key share a session.</summary>
    public string? SessionReferenceId { get; set; }

    /// <summary>The log's parent inside its session (<c>data_…</c>).</summary>
    public string? ParentId { get; set; }

    /// <summary>The <see cref="ReferenceId"/> of the log's parent inside its session.</summary>
    public string? ParentReferenceId { get; set; }

    /// <summary>The template inputs.</summary>
    [JsonConverter(typeof(FreeFormDictionaryConverter))]
    public IDictionary? Inputs { get; set; }

    /// <summary>Where the call came from.</summary>
    public string? Source { get; set; }

    /// <summary>Metadata to store with the log.</summary>
    [JsonConverter(typeof(FreeFormDictionaryConverter))]
    public IDictionary? Metadata { get; set; }

    /// <summary>Whether the server stores the payloads (server default: true).</summary>
    public bool? Save { get; set; }

    /// <summary>The dataset datapoint the log derives from.</summary>
    public string? SourceDatapointId { get; set; }

    /// <summary>The caller's own reference for the log, which later logs name as their parent and <c>PATCH /logs</c> finds it by.</summary>
    public string? ReferenceId { get; set; }

    /// <summary>The experiment trial the log belongs to, as a config sampled from an experiment names it.</summary>
    public string? TrialId { get; set; }

    /// <summary>The chat messages sent, for chat logs.</summary>
    public IList<ChatMessage>? Messages { get; set; }

    /// <summary>The generated output; null when logging an error.</summary>
    public string? Output { get; set; }

    /// <summary>The config that produced the log (<c>config_…</c>).</summary>
    public string? ConfigId { get; set; }

    /// <summary>The config that produced the log, given inline; sent with <c>"type": "model"</c>.</summary>
    [JsonConverter(typeof(LogModelConfigConverter))]
    public ModelConfigRequest? Config { get; set; }

    /// <summary>The environment whose deployment served the call.</summary>
    public string? Environment { get; set; }

    /// <summary>The error, when generation failed.</summary>
    public string? Error { get; set; }

    /// <summary>How long the call took, in seconds.</summary>
    public double? Duration { get; set; }

    /// <summary>The chat output message, for chat logs.</summary>
    public ChatMessage? OutputMessage { get; set; }

    /// <summary>Tokens in the prompt.</summary>
    public int? PromptTokens { get; set; }

    /// <summary>Tokens generated.</summary>
    public int? OutputTokens { get; set; }

    /// <summary>What the prompt's tokens cost, in dollars.</summary>
    public double? PromptCost { get; set; }

    /// <summary>What the output's tokens cost, in dollars.</summary>
    public double? OutputCost { get; set; }

    /// <summary>When the call was made; the server's clock when unset.</summary>
    public DateTimeOffset? CreatedAt { get; set; }
}

/// <summary><c>PATCH /logs/{id}</c> and <c>PATCH /logs?reference_id=</c> (<c>UpdateLogRequest</c>): unset fields stay as they are.</summary>
public sealed class UpdateLogRequest
{
    /// <summary>The output, for example of a parent log whose work has finished.</summary>
    public string? Output { get; set; }

    /// <summary>The error, when the call failed.</summary>
    public string? Error { get; set; }

    /// <summary>How long the call took, in seconds.</summary>
    public double? Duration { get; set; }
}

/// <summary>
/// One log of a project export (<c>POST /projects/{id}/export</c>): the log as the server wrote it, and
/// typed. The text keeps every field, including those this client has no property for, so an export
/// file loses nothing.
/// </summary>
[JsonConverter(typeof(ExportedLogConverter))]
public sealed class ExportedLog
{
    internal ExportedLog(Log log, string json)
    {
        Log = log;
        Json = json;
    }

    /// <summary>The log.</summary>
    public Log Log { get; }

    /// <summary>The log's JSON, compact (on one line), as the server sent it.</summary>
    public string Json { get; }

    /// <inheritdoc />
    public override string ToString() => Log.Id ?? string.Empty;
}
