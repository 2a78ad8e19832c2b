using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Evaluations;

/// <summary>
/// The least scores a run must reach: one number for every evaluator, or evaluator names (wildcards allowed,
/// case ignored) to numbers. Read once from -Threshold and shared by Invoke-HumanloopEvaluation and
/// Should-HumanloopPassEvaluation.
/// </summary>
public sealed class EvaluationThresholds
{
    private readonly double? _all;
    private readonly List<(string Name, WildcardPattern Pattern, double Least)> _named;

    private EvaluationThresholds(double? all, List<(string Name, WildcardPattern Pattern, double Least)> named)
    {
        _all = all;
        _named = named;
    }

    /// <summary>No thresholds.</summary>
    public static EvaluationThresholds None { get; } = new(null, []);

    /// <summary>Whether any threshold was given.</summary>
    public bool Any => _all is not null || _named.Count > 0;

    /// <summary>Reads -Threshold: a number, or a hashtable of evaluator names to numbers.</summary>
    /// <exception cref="ArgumentException">The value is neither, or a threshold is not a number.</exception>
    public static EvaluationThresholds From(object? value)
    {
        value = PowerShellValues.Unwrap(value);
        switch (value)
        {
            case null:
                return None;
            case IDictionary table:
                var named = new List<(string, WildcardPattern, double)>();
                foreach (DictionaryEntry entry in table)
                {
                    var name = PowerShellValues.Unwrap(entry.Key)?.ToString() ?? string.Empty;
                    named.Add((name, new WildcardPattern(name, WildcardOptions.IgnoreCase), Number(entry.Value, $"The threshold of '{name}'")));
                }

                return new EvaluationThresholds(null, named);
            default:
                return new EvaluationThresholds(Number(value, "-Threshold"), []);
        }
    }

    /// <summary>The names that match none of <paramref name="evaluators"/>: thresholds that would never apply, which is a mistake worth stopping for.</summary>
    public IReadOnlyList<string> Unmatched(IReadOnlyCollection<string> evaluators) =>
        _named.Where(entry => !evaluators.Any(entry.Pattern.IsMatch)).Select(entry => entry.Name).ToList();

    /// <summary>The threshold of an evaluator: the first name that matches it, else the one for every evaluator, else none.</summary>
    public double? For(string evaluator) => _named.Where(entry => entry.Pattern.IsMatch(evaluator)).Select(entry => (double?)entry.Least).FirstOrDefault() ?? _all;

    /// <summary>Whether a score meets a threshold: null without a threshold; no score never passes.</summary>
    public static bool? Meets(double? score, double? threshold) => threshold is null ? null : score is { } value && value >= threshold.Value - 1e-12;

    private static double Number(object? value, string what)
    {
        value = PowerShellValues.Unwrap(value);
        if (EvaluationScore.IsResultValue(value) && value is not bool)
        {
            return EvaluationScore.AsNumber(value);
        }

        if (value is string text && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
        {
            return parsed;
        }

        throw new ArgumentException($"{what} is '{value}', which is not a number: give the least score that passes, for example 0.9.");
    }
}
