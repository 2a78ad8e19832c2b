using System;
using System.Collections;
using System.Collections.Generic;
using System.Text.Json.Serialization;
using Humanloop.Json;

namespace Humanloop;

/// <summary>
/// An evaluation run (<c>EvaluationResponse</c>): one config over a snapshot of a dataset, each log scored by
/// the run's evaluators.
/// </summary>
public sealed class Evaluation
{
    private IReadOnlyList<Evaluator> _evaluators = [];

    /// <summary>Evaluation id (<c>ev_…</c>).</summary>
    public string? Id { get; init; }

    /// <summary>The run's id again, under the name of the cmdlets' -EvaluationId parameters, so that piping this
    /// object binds that parameter by property name.</summary>
    [JsonIgnore]
    public string? EvaluationId => Id;

    /// <summary><c>pending</c>, <c>running</c>, <c>completed</c>, <c>cancelled</c> or <c>failed</c> (see <see cref="EvaluationStatuses"/>).</summary>
    public string? Status { get; init; }

    /// <summary>Why the run failed, when the server says (the local server's <c>status_reason</c>; the spec has no such field).</summary>
    public string? StatusReason { get; init; }

    /// <summary>The config evaluated.</summary>
    public ModelConfig? Config { get; init; }

    /// <summary>The evaluators that score each log.</summary>
    public IReadOnlyList<Evaluator> Evaluators { get => _evaluators; init => _evaluators = value ?? []; }

    /// <summary>The dataset the run covers.</summary>
    public Dataset? Dataset { get; init; }

    /// <summary>The version (snapshot) of the dataset the run covers.</summary>
    public string? DatasetVersionId { get; init; }

    /// <summary>The dataset as it was when the run was created.</summary>
    public Dataset? DatasetSnapshot { get; init; }

    /// <summary>
    /// Per evaluator, the run's score: the fraction of true results for a boolean evaluator, the mean for a
    /// number evaluator. Present only when asked for; null when the server sent none.
    /// </summary>
    public IReadOnlyList<EvaluatorAggregate>? EvaluatorAggregates { get; init; }

    /// <summary>When the run was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>When the run last changed.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>Whether the status is final: completed, cancelled or failed.</summary>
    [JsonIgnore]
    public bool IsFinished => EvaluationStatuses.IsFinal(Status);

    /// <inheritdoc />
    public override string ToString() => Id ?? string.Empty;
}

/// <summary>The values of <see cref="Evaluation.Status"/> (<c>EvaluationStatus</c>).</summary>
public static class EvaluationStatuses
{
    /// <summary>Created, nothing run yet.</summary>
    public const string Pending = "pending";

    /// <summary>Logs are being generated or posted.</summary>
    public const string Running = "running";

    /// <summary>Every datapoint was processed.</summary>
    public const string Completed = "completed";

    /// <summary>Stopped on request.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>Could not go on.</summary>
    public const string Failed = "failed";

    /// <summary>Every status, in the order a run passes through them.</summary>
    public static IReadOnlyList<string> All { get; } = [Pending, Running, Completed, Cancelled, Failed];

    /// <summary>Whether <paramref name="status"/> is one a run does not leave: completed, cancelled or failed.</summary>
    public static bool IsFinal(string? status) => status is Completed or Cancelled or Failed;
}

/// <summary>One evaluator's score over a run (<c>ModelConfigEvaluatorAggregateResponse</c>).</summary>
public sealed class EvaluatorAggregate
{
    /// <summary>The config evaluated.</summary>
    public string? ModelConfigId { get; init; }

    /// <summary>The evaluator.</summary>
    public string? EvaluatorId { get; init; }

    /// <summary>The evaluator's version.</summary>
    public string? EvaluatorVersionId { get; init; }

    /// <summary>The fraction of true results (boolean evaluators) or the mean (number evaluators); null when there are no results.</summary>
    public double? AggregateValue { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{EvaluatorId}={AggregateValue}";
}

/// <summary><c>POST /projects/{id}/evaluations</c>: what to run over what.</summary>
public sealed class CreateEvaluationRequest
{
    /// <summary>The config to evaluate (<c>config_…</c>).</summary>
    public string? ConfigId { get; set; }

    /// <summary>The evaluators to score each log with (<c>evfn_…</c>).</summary>
    public IList<string>? EvaluatorIds { get; set; }

    /// <summary>The dataset (<c>evts_…</c>).</summary>
    public string? DatasetId { get; set; }

    /// <summary>
    /// Whether the server generates the logs (the API's default, true) or the client posts them through
    /// <c>POST /evaluations/{id}/log</c> (false).
    /// </summary>
    [JsonPropertyName("hl_generated")]
    public bool? HumanloopGenerated { get; set; }
}

/// <summary><c>PATCH /evaluations/{id}/status</c>.</summary>
public sealed class UpdateEvaluationStatusRequest
{
    /// <summary>The new status (see <see cref="EvaluationStatuses"/>).</summary>
    public string? Status { get; set; }
}

/// <summary><c>PATCH /evaluations/{id}/evaluators</c>: evaluators to add to a run.</summary>
public sealed class AddEvaluatorsRequest
{
    /// <summary>The evaluators to add (<c>evfn_…</c>).</summary>
    public IList<string>? EvaluatorIds { get; set; }
}

/// <summary><c>POST /evaluations/{id}/log</c>: the log a client generated for one datapoint of a run.</summary>
public sealed class EvaluationLogRequest
{
    /// <summary>The datapoint the log was generated for; one of the run's.</summary>
    public string? DatapointId { get; set; }

    /// <summary>The log.</summary>
    public LogRequest? Log { get; set; }
}

/// <summary>The answer to a log written by the client (<c>CreateLogResponse</c>).</summary>
public sealed class CreatedLog
{
    /// <summary>The log's id (<c>data_…</c>).</summary>
    public string? Id { get; init; }

    /// <summary>The log's id again, under the name of the cmdlets' -LogId parameters, so that piping this
    /// object binds that parameter by property name.</summary>
    [JsonIgnore]
    public string? LogId => Id;

    /// <summary>The project's id.</summary>
    public string? ProjectId { get; init; }

    /// <summary>The session's id, when the log was given one.</summary>
    public string? SessionId { get; init; }

    /// <inheritdoc />
    public override string ToString() => Id ?? string.Empty;
}

/// <summary><c>POST /evaluations/{id}/result</c>: one evaluator's verdict on one log of a run.</summary>
public sealed class EvaluationResultRequest
{
    /// <summary>The log judged; one of the run's.</summary>
    public string? LogId { get; set; }

    /// <summary>The evaluator that judged it; one of the run's.</summary>
    public string? EvaluatorId { get; set; }

    /// <summary>The verdict: a boolean or a number; null with <see cref="Error"/>.</summary>
    [JsonConverter(typeof(FreeFormValueConverter))]
    public object? Result { get; set; }

    /// <summary>Why the evaluator could not judge the log.</summary>
    public string? Error { get; set; }
}

/// <summary>One evaluator's result on one log (<c>EvaluationResultResponse</c>).</summary>
public sealed class EvaluationResult
{
    /// <summary>Result id.</summary>
    public string? Id { get; init; }

    /// <summary>The evaluator.</summary>
    public string? EvaluatorId { get; init; }

    /// <summary>The evaluator's version.</summary>
    public string? EvaluatorVersionId { get; init; }

    /// <summary>The run.</summary>
    public string? EvaluationId { get; init; }

    /// <summary>The log judged.</summary>
    public string? LogId { get; init; }

    /// <summary>The log judged, when the server includes it.</summary>
    public Log? Log { get; init; }

    /// <summary>The verdict: a boolean or a number; null when the evaluator failed.</summary>
    [JsonConverter(typeof(FreeFormValueConverter))]
    public object? Value { get; init; }

    /// <summary>Why the evaluator could not judge the log.</summary>
    public string? Error { get; init; }

    /// <summary>The model's own log, for an <c>llm</c> evaluator.</summary>
    public Log? LlmEvaluatorLog { get; init; }

    /// <summary>When the result was recorded.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>When the result last changed.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <inheritdoc />
    public override string ToString() => Error is null ? $"{Value}" : $"error: {Error}";
}

/// <summary>
/// One datapoint of a run as it stands (<c>EvaluationDatapointSnapshotResponse</c>): the datapoint, the log
/// generated for it (absent until there is one) and the evaluators' results on that log.
/// </summary>
public sealed class EvaluationDatapoint
{
    private IReadOnlyList<EvaluationResult> _results = [];

    /// <summary>The datapoint.</summary>
    public Datapoint? Datapoint { get; init; }

    /// <summary>The log generated for the datapoint, if any yet.</summary>
    public Log? Log { get; init; }

    /// <summary>
    /// The datapoint's id, so that piping this object into Add-HumanloopEvaluationLog binds its -DatapointId.
    /// </summary>
    [JsonIgnore]
    public string? DatapointId => Datapoint?.Id;

    /// <summary>
    /// The id of the log generated for the datapoint (null while there is none), so that piping this object
    /// into Add-HumanloopEvaluationResult binds its -LogId.
    /// </summary>
    [JsonIgnore]
    public string? LogId => Log?.Id;

    /// <summary>The evaluators' results on the log.</summary>
    public IReadOnlyList<EvaluationResult> EvaluationResults { get => _results; init => _results = value ?? []; }

    /// <inheritdoc />
    public override string ToString() => Datapoint?.Id ?? string.Empty;
}

/// <summary>Narrows <c>GET /evaluations</c>; every criterion is optional.</summary>
public sealed class EvaluationFilter
{
    /// <summary>Only these runs (<c>ev_…</c>).</summary>
    public IList<string>? Ids { get; set; }

    /// <summary>Only runs created at or after this moment.</summary>
    public DateTimeOffset? Since { get; set; }

    /// <summary>Only runs created at or before this moment.</summary>
    public DateTimeOffset? Until { get; set; }
}
