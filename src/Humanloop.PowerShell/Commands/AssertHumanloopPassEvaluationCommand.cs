using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Humanloop.PowerShell.Checks;
using Humanloop.PowerShell.Evaluations;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Commands;

/// <summary>Asserts that an evaluation passed: every summary meets its threshold, and none fell too far since the previous run (Should-HumanloopPassEvaluation).</summary>
/// <remarks>
/// <para>Takes the summaries Invoke-HumanloopEvaluation writes, usually piped. A summary fails when its score
/// is below its threshold (the one the run was given, or -Threshold here: a number for every evaluator or
/// a hashtable of evaluator names to least scores) or, with -MaximumDrop, when its score fell by more than
/// that since the previous run of the same config, dataset and evaluator. The failure lists every failing
/// config and evaluator with its score, threshold and change. No summaries at all is a failure too.</para>
/// </remarks>
/// <example>
/// <code>Invoke-HumanloopEvaluation -ProjectId $project.Id -Environment production -Path ./cases.csv -Expect 'contains:{{target.output}}' | Should-HumanloopPassEvaluation -Threshold 0.9 -MaximumDrop 0.05</code>
/// <para>In a Pester test: fails when the deployed config scores below 0.9, or lost more than 0.05 since the last run.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Assert, "HumanloopPassEvaluation", HelpUri = HelpLinks.Cmdlets + "#assert-humanlooppassevaluation")]
[Alias("Should-HumanloopPassEvaluation")]
[OutputType(typeof(void))]
public sealed class AssertHumanloopPassEvaluationCommand : PesterAssertionCmdlet
{
    private readonly List<object?> _actual = [];

    /// <summary>The summaries of an evaluation (Humanloop.EvaluationSummary); usually piped.</summary>
    [Parameter(ValueFromPipeline = true)]
    [AllowNull]
    [AllowEmptyCollection]
    public object?[]? Actual { get; set; }

    /// <summary>Least scores that pass, instead of the run's: a number, or a hashtable of evaluator names (wildcards allowed) to numbers.</summary>
    [Parameter]
    [ValidateNotNull]
    public object? Threshold { get; set; }

    /// <summary>The most a score may fall since the previous run.</summary>
    [Parameter]
    [ValidateRange(0, double.MaxValue)]
    public double MaximumDrop { get; set; }

    /// <summary>Why the evaluation matters; shown in the failure message.</summary>
    [Parameter]
    public string? Because { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord() => CheckParameters.Collect(_actual, Actual);

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var values = _actual.Select(PowerShellValues.Unwrap).ToList();
        var other = values.FindIndex(value => value is not EvaluationSummary);
        if (other >= 0 || values.Count == 0)
        {
            var given = values.Count == 0 ? "nothing" : values[other] is { } value ? value.GetType().FullName : "$null";
            Fail($"{AssertionName} checks the summaries Invoke-HumanloopEvaluation writes; it was given {given}.");
            return;
        }

        EvaluationThresholds? thresholds = null;
        if (Threshold is not null)
        {
            try
            {
                thresholds = EvaluationThresholds.From(Threshold);
            }
            catch (System.ArgumentException invalid)
            {
                ThrowTerminatingError(ErrorRecords.InvalidParameters(invalid.Message));
            }
        }

        var failures = EvaluationVerdict.Failures(values.Cast<EvaluationSummary>(), thresholds, Bound(nameof(MaximumDrop)) ? MaximumDrop : null);
        if (failures.Count > 0)
        {
            var because = string.IsNullOrWhiteSpace(Because) ? string.Empty : $" because {Because.Trim()}";
            Fail($"Expected the evaluation to pass{because}, but:\n{string.Join("\n", failures)}");
        }
    }
}
