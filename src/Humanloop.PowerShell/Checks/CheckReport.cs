using System.Collections.Generic;
using System.Linq;

namespace Humanloop.PowerShell.Checks;

/// <summary>
/// One check applied to everything given: a result per sample (or response), whether the whole passed in
/// its mode, and the failure message an assertion shows. What <c>Test-HumanloopOutput</c> writes.
/// </summary>
public sealed class CheckReport
{
    internal CheckReport(OutputCheck check, CheckMode mode, IReadOnlyList<CheckResult> results, string? problem)
    {
        Check = check.Name;
        Expectation = check.Expectation;
        Subject = check.Subject;
        Mode = mode;
        Results = results;
        Problem = problem;
    }

    /// <summary>The check's name (its Test-HumanloopOutput parameter).</summary>
    public string Check { get; }

    /// <summary>What the check expects (for example <c>contain 'refund'</c>).</summary>
    public string Expectation { get; }

    /// <summary>Whether the results are about samples or responses.</summary>
    public CheckSubject Subject { get; }

    /// <summary>How the check was applied.</summary>
    public CheckMode Mode { get; }

    /// <summary>Whether the check passed: nothing stood in the way, something was checked, and every sample passed (or, with -AtLeast, enough did).</summary>
    public bool Passed => Problem is null && Total > 0 && PassedCount >= (Mode.AtLeast ?? Total);

    /// <summary>How many samples (or responses) were judged.</summary>
    public int Total => Results.Count;

    /// <summary>How many passed.</summary>
    public int PassedCount => Results.Count(result => result.Passed);

    /// <summary>The results, one per sample (or response), in the order given.</summary>
    public IReadOnlyList<CheckResult> Results { get; }

    /// <summary>
    /// Why nothing could be judged (input the check cannot read), worded to follow the assertion's name;
    /// null when the input was readable.
    /// </summary>
    public string? Problem { get; }

    /// <summary>The results that failed.</summary>
    public IReadOnlyList<CheckResult> Failures => Results.Where(result => !result.Passed).ToList();

    /// <summary>
    /// The message an assertion fails with, or null when the check passed: the assertion, the expectation,
    /// and each failing sample's index, log id and output on one line, trimmed.
    /// </summary>
    /// <param name="assertion">How the user called the check, for example <c>Should-HumanloopContain</c>.</param>
    /// <param name="because">The user's reason, or null.</param>
    public string? FailureMessage(string assertion, string? because) => Passed ? null : FailureText.For(this, assertion, because);

    /// <inheritdoc />
    public override string ToString() => Problem is not null
        ? $"{Check}: {Problem}"
        : $"{Check}: {PassedCount} of {Total} {FailureText.Noun(Subject)}s passed ({(Mode.Not ? "not " : string.Empty)}{Expectation})";
}
