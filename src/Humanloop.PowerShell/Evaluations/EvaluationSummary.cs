using System;
using System.Collections.Generic;
using System.Linq;

namespace Humanloop.PowerShell.Evaluations;

/// <summary>
/// One evaluator's verdict on one config over a run of <c>Invoke-HumanloopEvaluation</c>: its score, how many
/// datapoints it judged and failed on, the threshold and whether the score met it, and the change since the
/// previous run of the same config, dataset and evaluator.
/// </summary>
public sealed class EvaluationSummary
{
    /// <summary>The run (<c>ev_…</c>); one per config.</summary>
    public string EvaluationId { get; init; } = string.Empty;

    /// <summary>The project the run belongs to.</summary>
    public string ProjectId { get; init; } = string.Empty;

    /// <summary>The config evaluated (<c>config_…</c>).</summary>
    public string ConfigId { get; init; } = string.Empty;

    /// <summary>The config as the run names it: its name, the environment that serves it, or its id.</summary>
    public string Config { get; init; } = string.Empty;

    /// <summary>The dataset.</summary>
    public string DatasetId { get; init; } = string.Empty;

    /// <summary>The evaluator's name.</summary>
    public string Evaluator { get; init; } = string.Empty;

    /// <summary>The evaluator's id on the server (<c>evfn_…</c>).</summary>
    public string EvaluatorId { get; init; } = string.Empty;

    /// <summary>Where it ran: <c>local</c> (a script block or a check of this module) or the server evaluator's type (python, llm, human, external).</summary>
    public string Source { get; init; } = string.Empty;

    /// <summary>The fraction of true results (boolean evaluators) or their mean (number evaluators); null when it judged nothing.</summary>
    public double? Score { get; init; }

    /// <summary>How many datapoints the evaluator judged.</summary>
    public int Count { get; init; }

    /// <summary>How many datapoints have no verdict because the evaluator, or the generation before it, failed.</summary>
    public int Errors { get; init; }

    /// <summary>How many datapoints the run covers.</summary>
    public int Datapoints { get; init; }

    /// <summary>The least score that passes; null when none was set.</summary>
    public double? Threshold { get; init; }

    /// <summary>Whether the score met the threshold; null when there is no threshold.</summary>
    public bool? Passed { get; init; }

    /// <summary>The score of the previous completed run of the same config, dataset and evaluator; null when there is none.</summary>
    public double? Previous { get; init; }

    /// <summary>The score minus the previous one; null without both.</summary>
    public double? Delta => Score is { } score && Previous is { } previous ? score - previous : null;

    /// <summary>The previous run compared with.</summary>
    public string? PreviousEvaluationId { get; init; }

    /// <summary>The first few distinct error messages, for a quick look; Get-HumanloopEvaluationResult has them all.</summary>
    public IReadOnlyList<string> ErrorMessages { get; init; } = [];

    /// <summary>The run's status when the summary was made.</summary>
    public string Status { get; init; } = string.Empty;

    /// <inheritdoc />
    public override string ToString() => $"{Config} / {Evaluator}: {(Score is { } score ? score.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) : "no score")}";
}

/// <summary>The scoring rule, in one place: what a run's results add up to.</summary>
public static class EvaluationScore
{
    /// <summary>
    /// The score of a set of results: the fraction that are true for booleans, the mean for numbers (a
    /// boolean counts as 1 or 0, so the two rules agree). Null when there is nothing to score.
    /// </summary>
    /// <param name="values">The result values; booleans or numbers.</param>
    /// <exception cref="ArgumentException">A value is neither.</exception>
    public static double? Of(IEnumerable<object?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var numbers = values.Select(AsNumber).ToList();
        return numbers.Count == 0 ? null : numbers.Average();
    }

    /// <summary>A result value as a number: true 1, false 0, numbers as they are.</summary>
    /// <exception cref="ArgumentException">The value is neither a boolean nor a number.</exception>
    public static double AsNumber(object? value) => value switch
    {
        bool flag => flag ? 1 : 0,
        int or long or double or float or decimal or short or byte => Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture),
        _ => throw new ArgumentException($"An evaluation result is a boolean or a number, not {(value is null ? "null" : $"'{value}' ({value.GetType().Name})")}."),
    };

    /// <summary>Whether <paramref name="value"/> is a result value: a boolean or a number.</summary>
    public static bool IsResultValue(object? value) => value is bool or int or long or double or float or decimal or short or byte;
}
