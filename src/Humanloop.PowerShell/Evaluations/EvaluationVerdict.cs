using System.Collections.Generic;
using System.Globalization;

namespace Humanloop.PowerShell.Evaluations;

/// <summary>Whether a run's summaries pass: the one rule behind Invoke-HumanloopEvaluation's failure and Should-HumanloopPassEvaluation.</summary>
internal static class EvaluationVerdict
{
    /// <summary>
    /// A line per summary that fails: below its threshold (the summary's own, or <paramref name="thresholds"/>'
    /// when given), or, with <paramref name="maximumDrop"/>, fallen further than that since the previous run.
    /// </summary>
    public static List<string> Failures(IEnumerable<EvaluationSummary> summaries, EvaluationThresholds? thresholds, double? maximumDrop)
    {
        var failures = new List<string>();
        foreach (var summary in summaries)
        {
            var threshold = thresholds is { Any: true } ? thresholds.For(summary.Evaluator) : summary.Threshold;
            var reasons = new List<string>();
            if (EvaluationThresholds.Meets(summary.Score, threshold) == false)
            {
                reasons.Add(summary.Score is null ? $"no score (threshold {Number(threshold)})" : $"scored {Number(summary.Score)}, below the threshold {Number(threshold)}");
            }

            if (maximumDrop is { } drop && summary.Delta is { } delta && delta < -drop - 1e-12)
            {
                reasons.Add($"fell by {Number(-delta)} since {summary.PreviousEvaluationId} ({Number(summary.Previous)} → {Number(summary.Score)}), more than {Number(drop)}");
            }

            if (reasons.Count > 0)
            {
                var errors = summary.Errors > 0 ? $"; {summary.Errors} error(s), first: {string.Join(" | ", summary.ErrorMessages)}" : string.Empty;
                failures.Add($"  {summary.Config} / {summary.Evaluator} ({summary.EvaluationId}): {string.Join("; ", reasons)} over {summary.Count} datapoint(s){errors}");
            }
        }

        return failures;
    }

    private static string Number(double? value) => value?.ToString("0.###", CultureInfo.InvariantCulture) ?? "none";
}
