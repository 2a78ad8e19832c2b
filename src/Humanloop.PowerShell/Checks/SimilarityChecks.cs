using System;
using System.Collections.Generic;
using System.Linq;
using Humanloop.Judging;

namespace Humanloop.PowerShell.Checks;

/// <summary>
/// A check that scores each sample and passes it when the score reaches a threshold: at least the
/// threshold, or (for a distance) at most it. The scores and verdicts are <see cref="TextJudgments"/>'.
/// </summary>
public abstract class ScoringCheck : TextCheck
{
    /// <summary>Creates the check.</summary>
    /// <param name="threshold">The score a sample must reach.</param>
    /// <param name="lowerIsBetter">The score is a distance: a sample passes at or below the threshold.</param>
    protected ScoringCheck(double threshold, bool lowerIsBetter)
    {
        if (double.IsNaN(threshold))
        {
            throw new ArgumentException("A threshold is a number.", nameof(threshold));
        }

        Threshold = threshold;
        LowerIsBetter = lowerIsBetter;
    }

    /// <summary>The score a sample must reach.</summary>
    public double Threshold { get; }

    /// <summary>Whether the score is a distance, passing at or below the threshold.</summary>
    public bool LowerIsBetter { get; }

    /// <summary>A score as messages show it: up to four decimals, invariant culture.</summary>
    protected static string Number(double value) => JudgedText.Number(value);
}

/// <summary><c>Levenshtein</c>: the text is at most N single-character edits from a reference. The score is the distance.</summary>
public sealed class LevenshteinCheck : ScoringCheck
{
    private readonly string _reference;

    /// <summary>Creates the check.</summary>
    /// <param name="reference">The text to compare with.</param>
    /// <param name="maxDistance">The most edits allowed.</param>
    public LevenshteinCheck(string reference, int maxDistance)
        : base(maxDistance, lowerIsBetter: true)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (maxDistance < 0)
        {
            throw new ArgumentException("A distance is 0 or more.", nameof(maxDistance));
        }

        _reference = reference;
    }

    /// <inheritdoc />
    public override string Name => "Levenshtein";

    /// <inheritdoc />
    public override string Expectation => $"be at most {Number(Threshold)} edit{(Threshold == 1 ? string.Empty : "s")} from {FailureText.Quote(_reference)}";

    /// <inheritdoc />
    public override Verdict Judge(string text) => TextJudgments.Levenshtein(text, _reference, Threshold);
}

/// <summary><c>Rouge</c>: ROUGE-N recall against a reference reaches a threshold (see <see cref="TextMetrics.RougeN"/>).</summary>
public sealed class RougeCheck : ScoringCheck
{
    /// <summary>The threshold when none is given.</summary>
    public const double DefaultThreshold = 0.75;

    private readonly string _reference;
    private readonly int _n;

    /// <summary>Creates the check.</summary>
    /// <param name="reference">The reference text.</param>
    /// <param name="n">The n-gram length (1 for words, 2 for word pairs, …).</param>
    /// <param name="threshold">The recall a sample must reach, 0 to 1.</param>
    /// <exception cref="ArgumentException">N is below 1, or the reference has fewer than N words.</exception>
    public RougeCheck(string reference, int n, double threshold)
        : base(threshold, lowerIsBetter: false)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (n < 1)
        {
            throw new ArgumentException("ROUGE-N needs N of 1 or more.", nameof(n));
        }

        _ = TextMetrics.RougeN(string.Empty, reference, n);
        _reference = reference;
        _n = n;
    }

    /// <inheritdoc />
    public override string Name => "Rouge";

    /// <inheritdoc />
    public override string Expectation => $"have a ROUGE-{_n} recall of at least {Number(Threshold)} against {FailureText.Quote(_reference)}";

    /// <inheritdoc />
    public override Verdict Judge(string text) => TextJudgments.Rouge(text, _reference, _n, Threshold);
}

/// <summary><c>Bleu</c>: BLEU-4 against one or more references reaches a threshold (see <see cref="TextMetrics.Bleu"/>).</summary>
public sealed class BleuCheck : ScoringCheck
{
    /// <summary>The threshold when none is given.</summary>
    public const double DefaultThreshold = 0.5;

    private readonly IReadOnlyList<string> _references;

    /// <summary>Creates the check.</summary>
    /// <param name="references">The reference texts.</param>
    /// <param name="threshold">The score a sample must reach, 0 to 1.</param>
    /// <exception cref="ArgumentException">No reference is given, or one has no words.</exception>
    public BleuCheck(IReadOnlyList<string> references, double threshold)
        : base(threshold, lowerIsBetter: false)
    {
        _ = TextMetrics.Bleu(string.Empty, references);
        _references = references.ToList();
    }

    /// <inheritdoc />
    public override string Name => "Bleu";

    /// <inheritdoc />
    public override string Expectation => $"have a BLEU-4 score of at least {Number(Threshold)} against " +
        (_references.Count == 1 ? FailureText.Quote(_references[0]) : $"{_references.Count} references");

    /// <inheritdoc />
    public override Verdict Judge(string text) => TextJudgments.Bleu(text, _references, Threshold);
}
