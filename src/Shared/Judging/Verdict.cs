namespace Humanloop.Judging;

/// <summary>
/// What a check found about one sample or response, before the mode is applied: whether the expectation
/// holds, a score when the check scores, and a detail that explains the finding in a failure message.
/// </summary>
public sealed class Verdict
{
    private Verdict(bool? holds, string? detail, double? score, string? graderLogId)
    {
        Holds = holds;
        Detail = detail;
        Score = score;
        GraderLogId = graderLogId;
    }

    /// <summary>True when the expectation holds, false when it does not, null when it cannot be judged (which fails with or without -Not).</summary>
    public bool? Holds { get; }

    /// <summary>
    /// Why, worded to follow "sample 1 (log data_x)" in a failure message (for example <c>finished with 'length'</c>);
    /// null when there is nothing to add to the output itself.
    /// </summary>
    public string? Detail { get; }

    /// <summary>The score, for checks that score (similarity metrics, graders).</summary>
    public double? Score { get; }

    /// <summary>The log id of the call that judged the sample, for checks graded by a model.</summary>
    public string? GraderLogId { get; }

    /// <summary>The expectation holds.</summary>
    public static Verdict Held(string? detail = null, double? score = null, string? graderLogId = null) => new(true, detail, score, graderLogId);

    /// <summary>The expectation does not hold.</summary>
    public static Verdict NotHeld(string? detail = null, double? score = null, string? graderLogId = null) => new(false, detail, score, graderLogId);

    /// <summary>Held or not as <paramref name="holds"/> says, with the same detail and score either way.</summary>
    public static Verdict Judged(bool holds, string? detail, double? score = null) => new(holds, detail, score, null);

    /// <summary>The expectation cannot be judged: the result fails whether or not the check is negated.</summary>
    public static Verdict CannotJudge(string detail) => new(null, detail, null, null);
}
