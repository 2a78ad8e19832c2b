using System.Collections.Generic;
using System.Linq;
using Humanloop.Judging;

namespace Humanloop.PowerShell.Checks;

/// <summary>How a check is applied to the samples (or responses) it is given.</summary>
public sealed class CheckMode
{
    /// <summary>Every sample must pass: the default.</summary>
    public static CheckMode Every { get; } = new(false, null);

    /// <summary>Creates a mode.</summary>
    /// <param name="not">Negates the check: a sample passes when the expectation does not hold.</param>
    /// <param name="atLeast">At least this many samples must pass, rather than every one; null for every one.</param>
    /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="atLeast"/> is below 1.</exception>
    public CheckMode(bool not, int? atLeast)
    {
        if (atLeast < 1)
        {
            throw new System.ArgumentOutOfRangeException(nameof(atLeast), atLeast, "At least 1 sample must be asked for.");
        }

        Not = not;
        AtLeast = atLeast;
    }

    /// <summary>Whether the check is negated.</summary>
    public bool Not { get; }

    /// <summary>How many samples must pass; null when every one must.</summary>
    public int? AtLeast { get; }
}

/// <summary>The check's finding about one sample (or response), with the mode applied.</summary>
public sealed class CheckResult
{
    internal CheckResult(string check, CheckSubject subject, int index, IReadOnlyList<GenerationSample> samples, Verdict verdict, bool not)
    {
        Check = check;
        Subject = subject;
        Index = index;
        Samples = samples;
        Verdict = verdict;
        Passed = verdict.Holds is { } holds && holds != not;
    }

    /// <summary>The check's name (its Test-HumanloopOutput parameter).</summary>
    public string Check { get; }

    /// <summary>Whether this result is about a sample or a response.</summary>
    public CheckSubject Subject { get; }

    /// <summary>The sample's index in its response; for a response, its position among the responses given.</summary>
    public int Index { get; }

    /// <summary>Whether the sample passed, with -Not applied.</summary>
    public bool Passed { get; }

    /// <summary>Whether the expectation held before -Not was applied; null when it could not be judged.</summary>
    public bool? Held => Verdict.Holds;

    /// <summary>The score, for checks that score (Levenshtein: the distance; ROUGE and BLEU: 0 to 1).</summary>
    public double? Score => Verdict.Score;

    /// <summary>What the check found (for example <c>finished with 'length'</c>); null when the output says it all.</summary>
    public string? Reason => Verdict.Detail;

    /// <summary>The log id of the judged sample; for a response, its first sample's.</summary>
    public string? LogId => LogIds.FirstOrDefault();

    /// <summary>The log ids of the judged sample or of every sample of the judged response.</summary>
    public IReadOnlyList<string> LogIds => Samples.Select(sample => sample.LogId).OfType<string>().Distinct().ToList();

    /// <summary>The judged text; for a response, its one sample's text, or null when it has several (see <see cref="Samples"/>).</summary>
    public string? Output => Samples.Count == 1 ? Samples[0].Output : null;

    /// <summary>The log id of the grader's own call, for checks graded by a model.</summary>
    public string? GraderLogId => Verdict.GraderLogId;

    /// <summary>The judged sample, or the judged response's samples.</summary>
    public IReadOnlyList<GenerationSample> Samples { get; }

    /// <summary>The check's verdict before the mode was applied.</summary>
    public Verdict Verdict { get; }

    /// <inheritdoc />
    public override string ToString() => $"{(Passed ? "passed" : "failed")}: {FailureText.Describe(this)}";
}
