using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Humanloop;

/// <summary>
/// One expectation of a test case, parsed from the compact syntax of an expectations column:
/// <c>[not-]kind[op number][:argument]</c>, for example <c>contains:refund</c>, <c>tokens&lt;=400</c>,
/// <c>rouge-1&gt;=0.5:the reference</c> or <c>not-regex:\bsorry\b</c>.
/// </summary>
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
    /// <exception cref="FormatException">It is not in the syntax; the message names it and says what was expected.</exception>
    public static Expectation Parse(string text)
    {
        var match = Syntax().Match(text);
        if (!match.Success)
        {
            throw new FormatException($"The expectation '{text}' is not in the form [not-]kind[<=number][:argument], for example contains:refund or tokens<=400.");
        }

        var kind = match.Groups["kind"].Value.ToLowerInvariant();
        var negated = match.Groups["not"].Success;
        if (!Kinds.TryGetValue(kind, out var shape))
        {
            throw new FormatException($"The expectation '{text}' has the kind '{kind}', which is not known. Known kinds: {string.Join(", ", Kinds.Keys)}.");
        }

        var comparison = match.Groups["op"].Success ? match.Groups["op"].Value : null;
        double? threshold = null;
        if (comparison is not null)
        {
            if (!shape.HasFlag(Shape.Threshold))
            {
                throw new FormatException($"The expectation '{text}': {kind} takes no threshold.");
            }

            threshold = ReadNumber(text, kind, match.Groups["number"].Value);
        }
        else if (shape.HasFlag(Shape.Threshold))
        {
            throw new FormatException($"The expectation '{text}': {kind} needs a threshold, for example {kind}{Example(kind)}.");
        }

        var argument = match.Groups["arg"].Success ? match.Groups["arg"].Value : null;
        if (shape.HasFlag(Shape.Argument) && string.IsNullOrEmpty(argument))
        {
            throw new FormatException($"The expectation '{text}': {kind} needs an argument after a colon, for example {kind}{Example(kind)}.");
        }

        if (shape == Shape.None && argument is not null)
        {
            throw new FormatException($"The expectation '{text}': {kind} takes no argument.");
        }

        if (kind == "regex")
        {
            try
            {
                _ = new Regex(argument!);
            }
            catch (ArgumentException exception)
            {
                throw new FormatException($"The expectation '{text}' has a pattern that is not a valid regular expression: {exception.Message}", exception);
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
            throw new FormatException($"The expectation '{text}' has the threshold '{number}', which is not a number.");
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
                : throw new FormatException($"The expectation '{text}' names the input '{match.Groups["name"].Value}', which the case does not have."));

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

    [GeneratedRegex(@"^(?<not>not-)?(?<kind>[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)(?:(?<op><=|>=|<|>|=)(?<number>[^:]+))?(?::(?<arg>.*))?$", RegexOptions.Singleline)]
    private static partial Regex Syntax();

    [GeneratedRegex(@"\{\{\s*(?<name>[^{}\s]+)\s*\}\}")]
    private static partial Regex Placeholder();
}
