using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Humanloop.PowerShell.Grading;

namespace Humanloop.PowerShell.Checks;

/// <summary>
/// Turns the expectations of a test case (Import-HumanloopTestCase's syntax) into the engine's checks, so
/// a case file and the Should-Humanloop… assertions judge alike.
/// </summary>
public static class ExpectationChecks
{
    /// <summary>The check an expectation stands for, and whether it is negated.</summary>
    /// <param name="expectation">The parsed expectation.</param>
    /// <param name="tools">The tools the request offered, for tools-valid; null when none were given.</param>
    /// <param name="resolvePath">Resolves a schema file path against the current location.</param>
    /// <exception cref="ArgumentException">The expectation cannot be checked as written (a comparison the kind does not take, missing tools).</exception>
    public static (OutputCheck Check, bool Not) For(Expectation expectation, IReadOnlyList<ToolDefinition>? tools, Func<string, string> resolvePath)
    {
        ArgumentNullException.ThrowIfNull(expectation);
        var argument = expectation.Argument ?? string.Empty;
        OutputCheck check = expectation.Kind switch
        {
            "equals" => new EqualCheck(argument, caseInsensitive: false),
            "contains" => new ContainCheck([argument], all: false, caseInsensitive: false),
            "icontains" => new ContainCheck([argument], all: false, caseInsensitive: true),
            "contains-any" => new ContainCheck(expectation.Values, all: false, caseInsensitive: false),
            "contains-all" => new ContainCheck(expectation.Values, all: true, caseInsensitive: false),
            "starts-with" => new StartWithCheck(argument, caseInsensitive: false),
            "regex" => new MatchCheck(argument, caseInsensitive: false),
            "words" => WordCount(expectation, argument),
            "levenshtein" => new LevenshteinCheck(argument, (int)AtMost(expectation)),
            "bleu" => new BleuCheck(expectation.Values, AtLeast(expectation)),
            "json" => new JsonCheck(null),
            "json-schema" => new JsonCheck(JsonSchemaRule.From(argument, resolvePath)),
            "contains-json" => new ContainJsonCheck(expectation.Argument is null ? null : JsonSchemaRule.From(argument, resolvePath)),
            "xml" => new XmlCheck(),
            "tools-valid" => new ValidToolCallsCheck(tools ?? throw new ArgumentException($"'{expectation}' needs the tools the request offered: pass -Tools.")),
            "tool" => new ToolCalledCheck(argument, null),
            "finish" => new FinishReasonCheck(expectation.Values),
            "tokens" => new MaxTokensCheck((int)AtMost(expectation)),
            "latency" => new MaxLatencyCheck(TimeSpan.FromMilliseconds(AtMost(expectation))),
            "rubric" => new GradedCheck(GradeKind.Rubric, argument),
            "factuality" => new GradedCheck(GradeKind.Factuality, null, reference: argument),
            "closed-qa" => ClosedQa(expectation),
            _ when expectation.Kind.StartsWith("rouge-", StringComparison.Ordinal) =>
                new RougeCheck(argument, int.Parse(expectation.Kind["rouge-".Length..], CultureInfo.InvariantCulture), AtLeast(expectation)),
            _ => throw new ArgumentException($"'{expectation}' has the kind '{expectation.Kind}', which no check judges."),
        };
        return (check, expectation.Negated);
    }

    private static WordCountCheck WordCount(Expectation expectation, string argument)
    {
        var bounds = argument.Split("..");
        if (bounds.Length != 2 || !int.TryParse(bounds[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var least) ||
            !int.TryParse(bounds[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var most))
        {
            throw new ArgumentException($"'{expectation}' gives the word count as '{argument}'; write words:least..most, for example words:5..40.");
        }

        return new WordCountCheck(least, most);
    }

    private static GradedCheck ClosedQa(Expectation expectation)
    {
        var parts = expectation.Values;
        return parts.Count == 2
            ? new GradedCheck(GradeKind.ClosedQa, parts[1], question: parts[0])
            : throw new ArgumentException($"'{expectation}' needs a question and a criterion: closed-qa:question|criterion.");
    }

    // An upper bound: "<=" as written, "<" one below for whole numbers (the thresholds here count).
    private static double AtMost(Expectation expectation) => expectation.Comparison switch
    {
        "<=" => expectation.Threshold!.Value,
        "<" => expectation.Threshold!.Value - 1,
        _ => throw new ArgumentException($"'{expectation}': {expectation.Kind} takes an upper bound, {expectation.Kind}<=number."),
    };

    private static double AtLeast(Expectation expectation) => expectation.Comparison switch
    {
        ">=" => expectation.Threshold!.Value,
        _ => throw new ArgumentException($"'{expectation}': {expectation.Kind} takes a lower bound, {expectation.Kind}>=score."),
    };
}
