using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Humanloop;

/// <summary>What is wrong with an expectation that does not parse.</summary>
public enum ExpectationProblem
{
    /// <summary>It is not in the form <c>[not-]kind[op number][:argument]</c>.</summary>
    Syntax,

    /// <summary>No check has its kind.</summary>
    UnknownKind,

    /// <summary>The kind needs an argument after a colon.</summary>
    MissingArgument,

    /// <summary>The kind takes no argument.</summary>
    UnexpectedArgument,

    /// <summary>The kind measures a number and needs a threshold.</summary>
    MissingThreshold,

    /// <summary>The kind does not measure a number and takes no threshold.</summary>
    UnexpectedThreshold,

    /// <summary>The threshold is not a number.</summary>
    BadNumber,

    /// <summary>A regex argument is not a valid regular expression.</summary>
    BadPattern,

    /// <summary>A <c>{{name}}</c> placeholder names an input the case does not have.</summary>
    UnknownInput,
}

/// <summary>An expectation that does not parse; <see cref="Problem"/> and <see cref="Kind"/> let a caller word it its own way.</summary>
public sealed class ExpectationFormatException(string message, ExpectationProblem problem, string? kind, Exception? inner = null) : FormatException(message, inner)
{
    /// <summary>What is wrong.</summary>
    public ExpectationProblem Problem { get; } = problem;

    /// <summary>The kind as read (normalized), when it got that far.</summary>
    public string? Kind { get; } = kind;
}

/// <summary>
/// One expectation of a test case, parsed from the compact syntax of an expectations column:
/// <c>[not-]kind[op number][:argument]</c>, for example <c>contains:refund</c>, <c>tokens&lt;=400</c>,
/// <c>rouge-1&gt;=0.5:the reference</c> or <c>not-regex:\bsorry\b</c>.
/// </summary>
/// <remarks>Kinds are read ignoring case, with
/// <c>_</c> the same as <c>-</c> and a few aliases (<c>is_json</c> is <c>json</c>). The one parser of the
/// syntax: the module reads test cases with it, and the local server compiles this file to read built-in
/// evaluators (<c>builtin:…</c>).
/// </remarks>
public sealed partial class Expectation
{
    private static readonly Dictionary<string, Shape> Kinds = new(StringComparer.OrdinalIgnoreCase)
    {
        ["equals"] = Shape.Argument,
        ["contains"] = Shape.Argument,
        ["icontains"] = Shape.Argument,
        ["contains-any"] = Shape.Argument,
        ["contains-all"] = Shape.Argument,
        ["starts-with"] = Shape.Argument,
        ["regex"] = Shape.Argument,
        ["words"] = Shape.Argument,
        ["levenshtein"] = Shape.Threshold | Shape.Argument,
        ["rouge-1"] = Shape.Threshold | Shape.Argument,
        ["rouge-2"] = Shape.Threshold | Shape.Argument,
        ["rouge-3"] = Shape.Threshold | Shape.Argument,
        ["rouge-4"] = Shape.Threshold | Shape.Argument,
        ["bleu"] = Shape.Threshold | Shape.Argument,
        ["json"] = Shape.None,
        ["json-schema"] = Shape.Argument,
        ["contains-json"] = Shape.None | Shape.OptionalArgument,
        ["xml"] = Shape.None,
        ["tools-valid"] = Shape.None,
        ["tool"] = Shape.Argument,
        ["finish"] = Shape.Argument,
        ["tokens"] = Shape.Threshold,
        ["latency"] = Shape.Threshold,
        ["rubric"] = Shape.Argument,
        ["factuality"] = Shape.Argument,
        ["closed-qa"] = Shape.Argument,
    };

    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["is-json"] = "json",
        ["valid-json"] = "json",
        ["is-xml"] = "xml",
        ["valid-xml"] = "xml",
        ["startswith"] = "starts-with",
        ["closedqa"] = "closed-qa",
    };

    [Flags]
    private enum Shape
    {
        None = 0,
        Argument = 1,
        Threshold = 2,
        OptionalArgument = 4,
    }

    private Expectation(string text, string kind, bool negated, string? comparison, double? threshold, string? argument)
    {
        Text = text;
        Kind = kind;
        Negated = negated;
        Comparison = comparison;
        Threshold = threshold;
        Argument = argument;
    }

    /// <summary>The expectation as written (after placeholders were filled).</summary>
    public string Text { get; }

    /// <summary>What is checked: contains, regex, json, tokens, rubric, … (lower case).</summary>
    public string Kind { get; }

    /// <summary>True when written with <c>not-</c>: no sample may meet it.</summary>
    public bool Negated { get; }

    /// <summary>The comparison of a threshold: <c>&lt;=</c>, <c>&gt;=</c>, <c>&lt;</c>, <c>&gt;</c> or <c>=</c>; null when none was written.</summary>
    public string? Comparison { get; }

    /// <summary>The threshold (tokens, milliseconds, a distance or a score); null when none was written.</summary>
    public double? Threshold { get; }

    /// <summary>What follows the first colon: the text, pattern, reference, criterion or list.</summary>
    public string? Argument { get; }

    /// <summary>The argument as a list, split at <c>|</c> (any-of and all-of lists, several references, finish reasons).</summary>
    public IReadOnlyList<string> Values => Argument is null ? [] : Argument.Split('|');

    /// <inheritdoc />
    public override string ToString() => Text;

    /// <summary>Whether the kind measures a number (a distance, a score, tokens, milliseconds) that a threshold compares.</summary>
    public bool IsMeasure => Kinds[Kind].HasFlag(Shape.Threshold);

    /// <summary>The kinds the syntax knows, for messages and help.</summary>
    public static IEnumerable<string> KnownKinds => Kinds.Keys;

    /// <summary>
    /// Parses an expectations cell: expectations separated by <c>;</c> (write <c>\;</c> for a semicolon
    /// inside one). <c>{{name}}</c> in an expectation is replaced by that input of the case.
    /// </summary>
    /// <exception cref="FormatException">An expectation is not in the syntax; the message names it.</exception>
    public static List<Expectation> ParseList(string? cell, IReadOnlyDictionary<string, string?>? inputs = null)
    {
        var result = new List<Expectation>();
        foreach (var part in SplitUnescaped(cell ?? string.Empty))
        {
            if (part.Trim().Length > 0)
            {
                result.Add(Parse(Fill(part.Trim(), inputs)));
            }
        }

        return result;
    }

    /// <summary>Parses one expectation.</summary>
    /// <param name="text">The expectation.</param>
    /// <param name="thresholdOptional">
    /// Lets a measuring kind come without a threshold (an evaluator that reports the measure itself);
    /// a test case's expectation must say what passes.
    /// </param>
    /// <exception cref="ExpectationFormatException">It is not in the syntax; the message names it and says what was expected.</exception>
    public static Expectation Parse(string text, bool thresholdOptional = false)
    {
        var match = Syntax().Match(text);
        if (!match.Success)
        {
            throw new ExpectationFormatException($"The expectation '{text}' is not in the form [not-]kind[<=number][:argument], for example contains:refund or tokens<=400.", ExpectationProblem.Syntax, null);
        }

        var kind = match.Groups["kind"].Value.ToLowerInvariant().Replace('_', '-');
        kind = Aliases.TryGetValue(kind, out var canonical) ? canonical : kind;
        var negated = match.Groups["not"].Success;
        if (!Kinds.TryGetValue(kind, out var shape))
        {
            throw new ExpectationFormatException($"The expectation '{text}' has the kind '{kind}', which is not known. Known kinds: {string.Join(", ", Kinds.Keys)}.", ExpectationProblem.UnknownKind, kind);
        }

        // "==" is read as "=", the way people write equality in code.
        var comparison = match.Groups["op"].Success ? match.Groups["op"].Value.Replace("==", "=") : null;
        double? threshold = null;
        if (comparison is not null)
        {
            if (!shape.HasFlag(Shape.Threshold))
            {
                throw new ExpectationFormatException($"The expectation '{text}': {kind} takes no threshold.", ExpectationProblem.UnexpectedThreshold, kind);
            }

            threshold = ReadNumber(text, kind, match.Groups["number"].Value);
        }
        else if (shape.HasFlag(Shape.Threshold) && !thresholdOptional)
        {
            throw new ExpectationFormatException($"The expectation '{text}': {kind} needs a threshold, for example {kind}{Example(kind)}.", ExpectationProblem.MissingThreshold, kind);
        }

        var argument = match.Groups["arg"].Success ? match.Groups["arg"].Value : null;
        if (shape.HasFlag(Shape.Argument) && string.IsNullOrEmpty(argument))
        {
            throw new ExpectationFormatException($"The expectation '{text}': {kind} needs an argument after a colon, for example {kind}{Example(kind)}.", ExpectationProblem.MissingArgument, kind);
        }

        if (shape == Shape.None && argument is not null)
        {
            throw new ExpectationFormatException($"The expectation '{text}': {kind} takes no argument.", ExpectationProblem.UnexpectedArgument, kind);
        }

        if (kind == "regex")
        {
            try
            {
                _ = new Regex(argument!);
            }
            catch (ArgumentException exception)
            {
                throw new ExpectationFormatException($"The expectation '{text}' has a pattern that is not a valid regular expression: {exception.Message}", ExpectationProblem.BadPattern, kind, exception);
            }
        }

        return new Expectation(text, kind, negated, comparison, threshold, argument);
    }

    // Latency takes a unit (ms, the default, or s); everything else a plain number.
    private static double ReadNumber(string text, string kind, string number)
    {
        var scale = 1.0;
        if (kind == "latency" && number.EndsWith("ms", StringComparison.OrdinalIgnoreCase))
        {
            number = number.Substring(0, number.Length - 2);
        }
        else if (kind == "latency" && number.EndsWith("s", StringComparison.OrdinalIgnoreCase))
        {
            number = number.Substring(0, number.Length - 1);
            scale = 1000;
        }

        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            throw new ExpectationFormatException($"The expectation '{text}' has the threshold '{number}', which is not a number.", ExpectationProblem.BadNumber, kind);
        }

        return value * scale;
    }

    private static string Example(string kind) => kind switch
    {
        "tokens" => "<=400",
        "latency" => "<=2s",
        "levenshtein" => "<=3:expected text",
        "bleu" => ">=0.4:reference one|reference two",
        "tool" => ":get_weather",
        "finish" => ":stop|length",
        "words" => ":5..40",
        _ when kind.StartsWith("rouge-", StringComparison.Ordinal) => ">=0.5:the reference",
        _ => ":…",
    };

    private static string Fill(string text, IReadOnlyDictionary<string, string?>? inputs) =>
        inputs is null ? text : Placeholder().Replace(text, match =>
            inputs.TryGetValue(match.Groups["name"].Value, out var value) ? value ?? string.Empty
                : throw new ExpectationFormatException($"The expectation '{text}' names the input '{match.Groups["name"].Value}', which the case does not have.", ExpectationProblem.UnknownInput, null));

    private static IEnumerable<string> SplitUnescaped(string cell)
    {
        var current = new StringBuilder();
        for (var i = 0; i < cell.Length; i++)
        {
            if (cell[i] == '\\' && i + 1 < cell.Length && cell[i + 1] == ';')
            {
                current.Append(';');
                i++;
            }
            else if (cell[i] == ';')
            {
                yield return current.ToString();
                current.Clear();
            }
            else
            {
                current.Append(cell[i]);
            }
        }

        yield return current.ToString();
    }

    [GeneratedRegex(@"^(?<not>not-)?(?<kind>[A-Za-z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)*)\s*(?:(?<op><=|>=|==|<|>|=)\s*(?<number>[^:]+?)\s*)?(?::(?<arg>.*))?$", RegexOptions.Singleline)]
    private static partial Regex Syntax();

    [GeneratedRegex(@"\{\{\s*(?<name>[^{}\s]+)\s*\}\}")]
    private static partial Regex Placeholder();
}
