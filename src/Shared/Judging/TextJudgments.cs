using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace Humanloop.Judging;

/// <summary>
/// The judgments of a sample's text: text in, verdict out. The module's text and similarity checks and the
/// local server's built-in evaluators both judge with these, so a check and an evaluator of the same kind
/// agree on every output.
/// </summary>
public static class TextJudgments
{
    /// <summary>The text is exactly <paramref name="expected"/>; otherwise says where they first differ.</summary>
    /// <param name="text">The judged text.</param>
    /// <param name="expected">The text it must equal.</param>
    /// <param name="caseInsensitive">Ignore case.</param>
    public static Verdict Equal(string text, string expected, bool caseInsensitive)
    {
        var comparison = Comparison(caseInsensitive);
        if (string.Equals(text, expected, comparison))
        {
            return Verdict.Held();
        }

        var at = 0;
        while (at < text.Length && at < expected.Length && string.Equals(text[at].ToString(), expected[at].ToString(), comparison))
        {
            at++;
        }

        return Verdict.NotHeld($"differs from character {at + 1}");
    }

    /// <summary>The text contains any of <paramref name="texts"/> (or, with <paramref name="all"/>, every one).</summary>
    /// <param name="text">The judged text.</param>
    /// <param name="texts">The texts to look for; at least one.</param>
    /// <param name="all">Every text must be present, rather than any one.</param>
    /// <param name="caseInsensitive">Ignore case.</param>
    public static Verdict Contain(string text, IReadOnlyList<string> texts, bool all, bool caseInsensitive)
    {
        var comparison = Comparison(caseInsensitive);
        var missing = texts.Where(part => text.IndexOf(part, comparison) < 0).ToList();
        var holds = all ? missing.Count == 0 : missing.Count < texts.Count;
        if (holds)
        {
            return Verdict.Held();
        }

        // One text says it all; of several, naming those missing helps.
        return Verdict.NotHeld(texts.Count == 1 ? null : "lacks " + string.Join(", ", missing.Select(JudgedText.Quote)));
    }

    /// <summary>The text starts with <paramref name="prefix"/>.</summary>
    /// <param name="text">The judged text.</param>
    /// <param name="prefix">The start it must have.</param>
    /// <param name="caseInsensitive">Ignore case.</param>
    public static Verdict StartWith(string text, string prefix, bool caseInsensitive) =>
        text.StartsWith(prefix, Comparison(caseInsensitive)) ? Verdict.Held() : Verdict.NotHeld();

    /// <summary>
    /// A .NET regular expression as the match judgment uses it: culture-invariant, optionally ignoring case,
    /// with a five-second timeout so a pathological pattern cannot hang a run.
    /// </summary>
    /// <param name="pattern">The regular expression.</param>
    /// <param name="caseInsensitive">Ignore case.</param>
    /// <exception cref="ArgumentException">The pattern is not a regular expression; the message quotes it.</exception>
    public static Regex Pattern(string pattern, bool caseInsensitive)
    {
        try
        {
            return new Regex(pattern, caseInsensitive ? RegexOptions.IgnoreCase | RegexOptions.CultureInvariant : RegexOptions.CultureInvariant, TimeSpan.FromSeconds(5));
        }
        catch (ArgumentException invalid)
        {
            throw new ArgumentException($"'{pattern}' is not a regular expression: {invalid.Message}", nameof(pattern), invalid);
        }
    }

    /// <summary>The text matches <paramref name="pattern"/> (anywhere, unless anchored).</summary>
    /// <param name="text">The judged text.</param>
    /// <param name="pattern">The expression, from <see cref="Pattern"/>.</param>
    public static Verdict Match(string text, Regex pattern) => pattern.IsMatch(text) ? Verdict.Held() : Verdict.NotHeld();

    /// <summary>The words of <paramref name="text"/>: runs of characters other than whitespace.</summary>
    /// <param name="text">The text.</param>
    public static int CountWords(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;

    /// <summary>The text has between <paramref name="minimum"/> and <paramref name="maximum"/> words; the detail gives the count.</summary>
    /// <param name="text">The judged text.</param>
    /// <param name="minimum">The fewest words allowed.</param>
    /// <param name="maximum">The most words allowed.</param>
    public static Verdict WordCount(string text, int minimum, int maximum)
    {
        var count = CountWords(text);
        return Verdict.Judged(count >= minimum && count <= maximum, $"has {count} word{(count == 1 ? string.Empty : "s")}");
    }

    /// <summary>A score against a threshold: at least it, or for a distance at most it. The verdict carries the score.</summary>
    /// <param name="score">The sample's score.</param>
    /// <param name="threshold">The score a sample must reach.</param>
    /// <param name="lowerIsBetter">The score is a distance: a sample passes at or below the threshold.</param>
    /// <param name="detail">How the score is said, for example <c>scored 0.42</c>.</param>
    public static Verdict Scored(double score, double threshold, bool lowerIsBetter, string detail) =>
        Verdict.Judged(lowerIsBetter ? score <= threshold : score >= threshold, detail, score);

    /// <summary>How a similarity score is said: <c>scored 0.42</c>.</summary>
    /// <param name="score">The score.</param>
    public static string DescribeScore(double score) => $"scored {JudgedText.Number(score)}";

    /// <summary>How an edit distance is said: <c>is 3 edits away</c>.</summary>
    /// <param name="distance">The distance.</param>
    public static string DescribeDistance(double distance) => $"is {JudgedText.Number(distance)} edit{(distance == 1 ? string.Empty : "s")} away";

    /// <summary>The edit distance to <paramref name="reference"/> is at most <paramref name="maxDistance"/>.</summary>
    /// <param name="text">The judged text.</param>
    /// <param name="reference">The text to compare with.</param>
    /// <param name="maxDistance">The most edits allowed.</param>
    public static Verdict Levenshtein(string text, string reference, double maxDistance)
    {
        double distance = TextMetrics.Levenshtein(text, reference);
        return Scored(distance, maxDistance, lowerIsBetter: true, DescribeDistance(distance));
    }

    /// <summary>ROUGE-N recall against <paramref name="reference"/> is at least <paramref name="threshold"/>.</summary>
    /// <param name="text">The judged text.</param>
    /// <param name="reference">The reference text.</param>
    /// <param name="n">The n-gram length.</param>
    /// <param name="threshold">The recall that passes.</param>
    public static Verdict Rouge(string text, string reference, int n, double threshold)
    {
        var score = TextMetrics.RougeN(text, reference, n);
        return Scored(score, threshold, lowerIsBetter: false, DescribeScore(score));
    }

    /// <summary>BLEU-4 against <paramref name="references"/> is at least <paramref name="threshold"/>.</summary>
    /// <param name="text">The judged text.</param>
    /// <param name="references">The reference texts.</param>
    /// <param name="threshold">The score that passes.</param>
    public static Verdict Bleu(string text, IReadOnlyList<string> references, double threshold)
    {
        var score = TextMetrics.Bleu(text, references);
        return Scored(score, threshold, lowerIsBetter: false, DescribeScore(score));
    }

    /// <summary>Ordinal comparison, ignoring case when asked.</summary>
    /// <param name="caseInsensitive">Ignore case.</param>
    public static StringComparison Comparison(bool caseInsensitive) => caseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
}
