using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Humanloop.Judging;
using Humanloop.PowerShell.Grading;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Checks;

/// <summary>
/// A model-graded check: the runspace's grader (Set-HumanloopGrader) judges each sample by a rubric, by
/// factual agreement with a reference answer, or by whether it answers a question and meets a criterion.
/// A sample passes when the grader says it passes and, with a minimum score, scores at least that. The
/// verdict carries the grader's reason and the log id of the grading call.
/// </summary>
public sealed class GradedCheck : SampleCheck
{
    private readonly GradeKind _kind;
    private readonly string _criterion;
    private readonly string? _reference;
    private readonly string? _question;
    private readonly double? _minScore;

    /// <summary>Creates the check.</summary>
    /// <param name="kind">Rubric, Factuality or ClosedQa.</param>
    /// <param name="criterion">The rubric, or the criterion of a closed-QA check; ignored for factuality.</param>
    /// <param name="reference">The reference answer of a factuality check.</param>
    /// <param name="question">The question of a closed-QA check.</param>
    /// <param name="minScore">The least score that passes (0 to 1); null: the grader's pass decides alone.</param>
    /// <exception cref="ArgumentException">What the kind needs is missing, or the score is out of range.</exception>
    public GradedCheck(GradeKind kind, string? criterion, string? reference = null, string? question = null, double? minScore = null)
    {
        _kind = kind;
        _reference = kind == GradeKind.Factuality ? Required(reference, "a reference answer") : null;
        _question = kind == GradeKind.ClosedQa ? Required(question, "a question") : null;
        _criterion = kind == GradeKind.Factuality ? GradedJudgment.FactualityCriterion : Required(criterion, kind == GradeKind.Rubric ? "a rubric" : "a criterion");
        _minScore = minScore is < 0 or > 1 ? throw new ArgumentException("A minimum score is between 0 and 1.") : minScore;
    }

    /// <inheritdoc />
    public override string Name => _kind.ToString();

    /// <inheritdoc />
    public override string Expectation => _kind switch
    {
        GradeKind.Rubric => $"meet the rubric '{_criterion}'",
        GradeKind.Factuality => $"agree with the reference '{_reference}'",
        _ => $"answer '{_question}' and meet '{_criterion}'",
    } + (_minScore is { } least ? $" with a grade of at least {least.ToString("0.##", CultureInfo.InvariantCulture)}" : string.Empty);

    /// <inheritdoc />
    public override async ValueTask<Verdict> JudgeAsync(GenerationSample sample, CheckContext context, CancellationToken cancellationToken)
    {
        // The grader is per runspace, which only the pipeline thread can see.
        var grader = await context.OnPipelineThreadAsync(() => ConnectionStore.Grader).ConfigureAwait(false);
        if (grader is null)
        {
            return Verdict.CannotJudge("could not be graded: no grader is set (run Set-HumanloopGrader first)");
        }

        var client = await context.GetClientAsync().ConfigureAwait(false);
        GradeVerdict graded;
        try
        {
            graded = await Grader.GradeAsync(client, grader, _kind, sample.Output, _criterion, _reference, _question, cancellationToken).ConfigureAwait(false);
        }
        catch (HumanloopException failure)
        {
            return Verdict.CannotJudge($"could not be graded: {failure.Message}");
        }

        return GradedJudgment.Judge(graded, _minScore);
    }

    private static string Required(string? value, string what) =>
        string.IsNullOrWhiteSpace(value) ? throw new ArgumentException($"A model-graded check needs {what}.") : value!;
}
