using System;
using System.Collections.Generic;
using Humanloop.Judging;

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
            "words" => WordCount(expectation),
            "levenshtein" => new LevenshteinCheck(argument, (int)ExpectationArguments.AtMost(expectation)),
            "bleu" => new BleuCheck(expectation.Values, ExpectationArguments.AtLeast(expectation)),
            "json" => new JsonCheck(null),
            "json-schema" => new JsonCheck(JsonSchemaRule.From(argument, resolvePath)),
            "contains-json" => new ContainJsonCheck(expectation.Argument is null ? null : JsonSchemaRule.From(argument, resolvePath)),
            "xml" => new XmlCheck(),
            "tools-valid" => new ValidToolCallsCheck(tools ?? throw new ArgumentException($"'{expectation}' needs the tools the request offered: pass -Tools.")),
            "tool" => new ToolCalledCheck(argument, null),
            "finish" => new FinishReasonCheck(expectation.Values),
            "tokens" => new MaxTokensCheck((int)ExpectationArguments.AtMost(expectation)),
            "latency" => new MaxLatencyCheck(TimeSpan.FromMilliseconds(ExpectationArguments.AtMost(expectation))),
            "rubric" => new GradedCheck(GradeKind.Rubric, argument),
            "factuality" => new GradedCheck(GradeKind.Factuality, null, reference: argument),
            "closed-qa" => ClosedQa(expectation),
            _ when ExpectationArguments.RougeN(expectation.Kind) is { } n => new RougeCheck(argument, n, ExpectationArguments.AtLeast(expectation)),
            _ => throw new ArgumentException($"'{expectation}' has the kind '{expectation.Kind}', which no check judges."),
        };
        return (check, expectation.Negated);
    }

    private static WordCountCheck WordCount(Expectation expectation)
    {
        var (least, most) = ExpectationArguments.WordBounds(expectation);
        return new WordCountCheck(least, most);
    }

    private static GradedCheck ClosedQa(Expectation expectation)
    {
        var (question, criterion) = ExpectationArguments.ClosedQa(expectation);
        return new GradedCheck(GradeKind.ClosedQa, criterion, question: question);
    }
}
