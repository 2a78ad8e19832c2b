using System;
using System.Text.Json.Serialization;

namespace Humanloop;

/// <summary>An evaluator (<c>EvaluatorResponse</c>): scores logs, by code, by a model, by people, or from outside.</summary>
public sealed class Evaluator
{
    /// <summary>Evaluator id (<c>evfn_…</c>).</summary>
    public string? Id { get; init; }

    /// <summary>The evaluator's id again, under the name of the cmdlets' -EvaluatorId parameters, so that piping this
    /// object binds that parameter by property name.</summary>
    [JsonIgnore]
    public string? EvaluatorId => Id;

    /// <summary>Evaluator name.</summary>
    public string? Name { get; init; }

    /// <summary>What the evaluator judges.</summary>
    public string? Description { get; init; }

    /// <summary>How it judges: <c>python</c>, <c>llm</c>, <c>human</c> or <c>external</c> (see <see cref="EvaluatorTypes"/>).</summary>
    public string? Type { get; init; }

    /// <summary><c>target_free</c> or <c>target_required</c>: whether it needs the datapoint's target.</summary>
    public string? ArgumentsType { get; init; }

    /// <summary><c>boolean</c> or <c>number</c>.</summary>
    public string? ReturnType { get; init; }

    /// <summary>The code of a <c>python</c> evaluator.</summary>
    public string? Code { get; init; }

    /// <summary>The model config of an <c>llm</c> evaluator.</summary>
    public ModelConfig? ModelConfig { get; init; }

    /// <summary>The project holding the evaluator's own logs, if any.</summary>
    public Project? LoggingProject { get; init; }

    /// <summary>When the evaluator was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>When the evaluator last changed.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <inheritdoc />
    public override string ToString() => Name ?? Id ?? string.Empty;
}

/// <summary>The values of <see cref="Evaluator.Type"/> (<c>EvaluatorType</c>).</summary>
public static class EvaluatorTypes
{
    /// <summary>Python code scores each log.</summary>
    public const string Python = "python";

    /// <summary>A model, prompted by the evaluator's config, scores each log.</summary>
    public const string Llm = "llm";

    /// <summary>People score the logs, through feedback.</summary>
    public const string Human = "human";

    /// <summary>The client computes the scores and posts them.</summary>
    public const string External = "external";
}

/// <summary>The values of <see cref="Evaluator.ArgumentsType"/> (<c>EvaluatorArgumentsType</c>).</summary>
public static class EvaluatorArgumentsTypes
{
    /// <summary>Judges the log alone.</summary>
    public const string TargetFree = "target_free";

    /// <summary>Compares the log with the datapoint's target.</summary>
    public const string TargetRequired = "target_required";
}

/// <summary>The values of <see cref="Evaluator.ReturnType"/> (<c>EvaluatorReturnTypeEnum</c>).</summary>
public static class EvaluatorReturnTypes
{
    /// <summary>Pass or fail.</summary>
    public const string Boolean = "boolean";

    /// <summary>A score.</summary>
    public const string Number = "number";
}

/// <summary>
/// <c>POST /evaluators</c> (every field but <see cref="Type"/> also <c>PATCH /evaluators/{id}</c>, where unset
/// fields stay as they are).
/// </summary>
public sealed class EvaluatorRequest
{
    /// <summary>The name (1 to 255 characters).</summary>
    public string? Name { get; set; }

    /// <summary>The description; creating requires one, so the client sends an empty one when none is given.</summary>
    public string? Description { get; set; }

    /// <summary><c>target_free</c> or <c>target_required</c>.</summary>
    public string? ArgumentsType { get; set; }

    /// <summary><c>boolean</c> or <c>number</c>.</summary>
    public string? ReturnType { get; set; }

    /// <summary>The code of a <c>python</c> evaluator.</summary>
    public string? Code { get; set; }

    /// <summary>The model config of an <c>llm</c> evaluator.</summary>
    public ModelConfigCompletionRequest? ModelConfig { get; set; }

    /// <summary>The evaluator type; only when creating (the update request has no such field).</summary>
    public string? Type { get; set; }
}
