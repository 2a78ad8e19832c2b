using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace Humanloop.Judging;

/// <summary>
/// The similarity metrics of the text checks, as plain functions so they can be tested on worked examples.
/// ROUGE and BLEU read words: runs of letters, digits and underscores (<c>\w+</c>), lower-cased, so
/// punctuation and case do not count.
/// </summary>
public static partial class TextMetrics
{
    /// <summary>
    /// The Levenshtein distance: the fewest single-character insertions, deletions and substitutions that
    /// turn <paramref name="source"/> into <paramref name="target"/> (compared ordinally, case counts).
    /// </summary>
    public static int Levenshtein(string source, string target)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);

        // Two rows of the classic table: previous[j] is the distance between source[..i] and target[..j].
        var previous = new int[target.Length + 1];
        var current = new int[target.Length + 1];
        for (var j = 0; j <= target.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= source.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= target.Length; j++)
            {
                var substitution = previous[j - 1] + (source[i - 1] == target[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[target.Length];
    }

    /// <summary>The words ROUGE and BLEU compare: <c>\w+</c> runs, lower-cased.</summary>
    public static IReadOnlyList<string> Words(string text) =>
        WordPattern().Matches(text ?? string.Empty).Select(match => match.Value.ToLowerInvariant()).ToList();

    /// <summary>
    /// ROUGE-N as n-gram recall: of the reference's n-grams, the share the candidate also has, each counted
    /// at most as often as the candidate has it:
    /// Σ over reference n-grams g of min(count_candidate(g), count_reference(g)) / Σ count_reference(g).
    /// </summary>
    /// <exception cref="ArgumentException">The reference has fewer than <paramref name="n"/> words, so it has no n-grams to recall.</exception>
    public static double RougeN(string candidate, string reference, int n)
    {
        var referenceGrams = Grams(Words(reference), n);
        var total = referenceGrams.Values.Sum();
        if (total == 0)
        {
            throw new ArgumentException($"The reference has fewer than {n} words, so ROUGE-{n} has nothing to recall.", nameof(reference));
        }

        var candidateGrams = Grams(Words(candidate), n);
        var overlap = referenceGrams.Sum(gram => Math.Min(gram.Value, candidateGrams.GetValueOrDefault(gram.Key)));
        return (double)overlap / total;
    }

    /// <summary>
    /// BLEU-4 of <paramref name="candidate"/> against one or more references, with uniform weights:
    /// BP · exp(¼ Σₙ ln pₙ) for n = 1…4. pₙ is the clipped n-gram precision (each candidate n-gram counts at
    /// most as often as it appears in the reference that has it most), smoothed for n ≥ 2 by adding one to
    /// its numerator and denominator (Lin and Och 2004, "smoothing 2" of Chen and Cherry 2014), so a short
    /// text that misses every 4-gram is not scored 0 outright; p₁ is not smoothed, so a candidate sharing no
    /// word scores 0. BP = 1 when the candidate is longer than the reference length closest to its own
    /// (the shorter on a tie), else exp(1 − r/c). An empty candidate scores 0.
    /// </summary>
    /// <exception cref="ArgumentException">No reference is given, or one has no words.</exception>
    public static double Bleu(string candidate, IReadOnlyList<string> references)
    {
        if (references is null || references.Count == 0)
        {
            throw new ArgumentException("BLEU needs at least one reference.", nameof(references));
        }

        var referenceWords = references.Select(Words).ToList();
        if (referenceWords.Any(words => words.Count == 0))
        {
            throw new ArgumentException("A BLEU reference has no words.", nameof(references));
        }

        var candidateWords = Words(candidate);
        if (candidateWords.Count == 0)
        {
            return 0;
        }

        var logSum = 0.0;
        for (var n = 1; n <= 4; n++)
        {
            var candidateGrams = Grams(candidateWords, n);
            var referenceGrams = referenceWords.Select(words => Grams(words, n)).ToList();
            var clipped = candidateGrams.Sum(gram => Math.Min(gram.Value, referenceGrams.Max(counts => counts.GetValueOrDefault(gram.Key))));
            var count = candidateGrams.Values.Sum();
            var precision = n == 1 ? (double)clipped / count : (clipped + 1.0) / (count + 1.0);
            if (precision == 0)
            {
                return 0;
            }

            logSum += Math.Log(precision) / 4;
        }

        var c = candidateWords.Count;
        var r = referenceWords.Select(words => words.Count).OrderBy(length => Math.Abs(length - c)).ThenBy(length => length).First();
        var brevityPenalty = c > r ? 1.0 : Math.Exp(1 - (double)r / c);
        return brevityPenalty * Math.Exp(logSum);
    }

    private static Dictionary<string, int> Grams(IReadOnlyList<string> words, int n)
    {
        var grams = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var start = 0; start + n <= words.Count; start++)
        {
            var gram = string.Join(' ', words.Skip(start).Take(n));
            grams[gram] = grams.GetValueOrDefault(gram) + 1;
        }

        return grams;
    }

    [GeneratedRegex(@"\w+")]
    private static partial Regex WordPattern();
}
