using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Humanloop.Judging;

namespace Humanloop.PowerShell.Checks;

/// <summary>A check that judges a sample's text alone, synchronously; a chat sample's text is its assistant message's.</summary>
public abstract class TextCheck : SampleCheck
{
    /// <inheritdoc />
    public sealed override ValueTask<Verdict> JudgeAsync(GenerationSample sample, CheckContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Judge(sample.Output ?? string.Empty));

    /// <summary>Judges the text (empty for a sample with none).</summary>
    public abstract Verdict Judge(string text);
}

/// <summary><c>Equal</c>: the text is exactly the expected text.</summary>
public sealed class EqualCheck(string expected, bool caseInsensitive) : TextCheck
{
    /// <inheritdoc />
    public override string Name => "Equal";

    /// <inheritdoc />
    public override string Expectation => $"equal {FailureText.Quote(expected)}{TextChecks.CaseNote(caseInsensitive)}";

    /// <inheritdoc />
    public override Verdict Judge(string text) => TextJudgments.Equal(text, expected, caseInsensitive);
}

/// <summary><c>Contain</c>: the text contains any of the given texts (or, with all-of, every one).</summary>
public sealed class ContainCheck : TextCheck
{
    private readonly IReadOnlyList<string> _texts;
    private readonly bool _all;
    private readonly bool _caseInsensitive;
    private readonly bool _mentionCase;

    /// <summary>Creates the check.</summary>
    /// <param name="texts">The texts to look for; at least one.</param>
    /// <param name="all">Every text must be present, rather than any one.</param>
    /// <param name="caseInsensitive">Ignore case.</param>
    /// <param name="mentionCase">Say "(ignoring case)" in the expectation; the Should -ContainHumanloopOutput operator, always case-insensitive, does not.</param>
    public ContainCheck(IReadOnlyList<string> texts, bool all, bool caseInsensitive, bool mentionCase = true)
    {
        if (texts is null || texts.Count == 0 || texts.Any(text => text is null))
        {
            throw new ArgumentException("Contain needs one or more texts to look for, none of them null.", nameof(texts));
        }

        _texts = texts;
        _all = all;
        _caseInsensitive = caseInsensitive;
        _mentionCase = mentionCase;
    }

    /// <inheritdoc />
    public override string Name => "Contain";

    /// <inheritdoc />
    public override string Expectation =>
        $"contain {string.Join(_all ? " and " : " or ", _texts.Select(FailureText.Quote))}{(_mentionCase ? TextChecks.CaseNote(_caseInsensitive) : string.Empty)}";

    /// <inheritdoc />
    public override Verdict Judge(string text) => TextJudgments.Contain(text, _texts, _all, _caseInsensitive);
}

/// <summary><c>StartWith</c>: the text starts with the given text.</summary>
public sealed class StartWithCheck(string prefix, bool caseInsensitive) : TextCheck
{
    /// <inheritdoc />
    public override string Name => "StartWith";

    /// <inheritdoc />
    public override string Expectation => $"start with {FailureText.Quote(prefix)}{TextChecks.CaseNote(caseInsensitive)}";

    /// <inheritdoc />
    public override Verdict Judge(string text) => TextJudgments.StartWith(text, prefix, caseInsensitive);
}

/// <summary><c>Match</c>: the text matches a .NET regular expression (anywhere, unless anchored).</summary>
public sealed class MatchCheck : TextCheck
{
    private readonly Regex _regex;
    private readonly bool _mentionCase;

    /// <summary>Creates the check.</summary>
    /// <param name="pattern">The regular expression.</param>
    /// <param name="caseInsensitive">Ignore case.</param>
    /// <param name="mentionCase">Say "(ignoring case)" in the expectation; the Should -MatchHumanloopOutput operator, always case-insensitive like -match, does not.</param>
    /// <exception cref="ArgumentException">The pattern is not a regular expression.</exception>
    public MatchCheck(string pattern, bool caseInsensitive, bool mentionCase = true)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        _regex = TextJudgments.Pattern(pattern, caseInsensitive);

        Pattern = pattern;
        CaseInsensitive = caseInsensitive;
        _mentionCase = mentionCase;
    }

    /// <summary>The regular expression.</summary>
    public string Pattern { get; }

    /// <summary>Whether case is ignored.</summary>
    public bool CaseInsensitive { get; }

    /// <inheritdoc />
    public override string Name => "Match";

    /// <inheritdoc />
    public override string Expectation => $"match '{Pattern}'{(_mentionCase ? TextChecks.CaseNote(CaseInsensitive) : string.Empty)}";

    /// <inheritdoc />
    public override Verdict Judge(string text) => TextJudgments.Match(text, _regex);
}

/// <summary><c>WordCount</c>: the number of words (runs of non-whitespace) is within a range.</summary>
public sealed class WordCountCheck : TextCheck
{
    /// <summary>Creates the check.</summary>
    /// <param name="minimum">The fewest words allowed.</param>
    /// <param name="maximum">The most words allowed.</param>
    /// <exception cref="ArgumentException">The range is empty or negative.</exception>
    public WordCountCheck(int minimum, int maximum)
    {
        if (minimum < 0 || maximum < minimum)
        {
            throw new ArgumentException($"A word count range runs from a minimum of 0 or more to a maximum no smaller; {minimum} to {maximum} is not one.");
        }

        Minimum = minimum;
        Maximum = maximum;
    }

    /// <summary>The fewest words allowed.</summary>
    public int Minimum { get; }

    /// <summary>The most words allowed.</summary>
    public int Maximum { get; }

    /// <inheritdoc />
    public override string Name => "WordCount";

    /// <inheritdoc />
    public override string Expectation => Minimum == Maximum ? $"have exactly {Minimum} words"
        : Maximum == int.MaxValue ? $"have at least {Minimum} words"
        : Minimum == 0 ? $"have at most {Maximum} words"
        : $"have between {Minimum} and {Maximum} words";

    /// <summary>The words of <paramref name="text"/>: runs of characters other than whitespace.</summary>
    public static int CountWords(string text) => TextJudgments.CountWords(text);

    /// <inheritdoc />
    public override Verdict Judge(string text) => TextJudgments.WordCount(text, Minimum, Maximum);
}

internal static class TextChecks
{
    public static string CaseNote(bool caseInsensitive) => caseInsensitive ? " (ignoring case)" : string.Empty;
}
