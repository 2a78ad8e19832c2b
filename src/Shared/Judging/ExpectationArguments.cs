using System;
using System.Globalization;

namespace Humanloop.Judging;

/// <summary>
/// What an <see cref="Expectation"/>'s threshold and argument mean for its kind: an upper or lower bound, a
/// word-count range, the question and criterion of closed QA, the N of ROUGE-N. Test cases in the module
/// and built-in evaluators on the local server read expectations through these, so they mean the same.
/// </summary>
public static class ExpectationArguments
{
    /// <summary>An upper bound: <c>&lt;=</c> as written, <c>&lt;</c> one below (the thresholds of these kinds count whole things).</summary>
    /// <param name="expectation">A distance, tokens or latency expectation.</param>
    /// <exception cref="ArgumentException">The threshold is not an upper bound.</exception>
    public static double AtMost(Expectation expectation) => expectation.Comparison switch
    {
        "<=" => expectation.Threshold!.Value,
        "<" => expectation.Threshold!.Value - 1,
        _ => throw new ArgumentException($"'{expectation}': {expectation.Kind} takes an upper bound, {expectation.Kind}<=number."),
    };

    /// <summary>A lower bound: <c>&gt;=</c> as written.</summary>
    /// <param name="expectation">A similarity score expectation.</param>
    /// <exception cref="ArgumentException">The threshold is not a lower bound.</exception>
    public static double AtLeast(Expectation expectation) => expectation.Comparison switch
    {
        ">=" => expectation.Threshold!.Value,
        _ => throw new ArgumentException($"'{expectation}': {expectation.Kind} takes a lower bound, {expectation.Kind}>=score."),
    };

    /// <summary>The range of a <c>words:least..most</c> expectation.</summary>
    /// <param name="expectation">The expectation.</param>
    /// <exception cref="ArgumentException">The argument is not a range.</exception>
    public static (int Least, int Most) WordBounds(Expectation expectation)
    {
        var argument = expectation.Argument ?? string.Empty;
        var bounds = argument.Split(new[] { ".." }, StringSplitOptions.None);
        if (bounds.Length != 2 || !int.TryParse(bounds[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var least) ||
            !int.TryParse(bounds[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var most))
        {
            throw new ArgumentException($"'{expectation}' gives the word count as '{argument}'; write words:least..most, for example words:5..40.");
        }

        return (least, most);
    }

    /// <summary>The question and criterion of a <c>closed-qa:question|criterion</c> expectation.</summary>
    /// <param name="expectation">The expectation.</param>
    /// <exception cref="ArgumentException">The argument is not two parts.</exception>
    public static (string Question, string Criterion) ClosedQa(Expectation expectation)
    {
        var parts = expectation.Values;
        return parts.Count == 2
            ? (parts[0], parts[1])
            : throw new ArgumentException($"'{expectation}' needs a question and a criterion: closed-qa:question|criterion.");
    }

    /// <summary>The N of a <c>rouge-N</c> kind; null for any other kind.</summary>
    /// <param name="kind">The expectation's kind.</param>
    public static int? RougeN(string kind) =>
        kind.StartsWith("rouge-", StringComparison.Ordinal) && int.TryParse(kind.Substring("rouge-".Length), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
}
