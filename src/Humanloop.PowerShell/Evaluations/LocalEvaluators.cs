using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Humanloop.PowerShell.Checks;
using Humanloop.PowerShell.Infrastructure;
using Humanloop.PowerShell.TestCases;

namespace Humanloop.PowerShell.Evaluations;

/// <summary>What a local evaluator judges: the datapoint, the generation for it, and the log posted to the run.</summary>
/// <param name="Datapoint">The datapoint.</param>
/// <param name="Response">The generation (a CompletionResponse or a ChatResponse).</param>
/// <param name="Log">The log as posted to the run, with its id.</param>
internal sealed record EvaluationCase(Datapoint Datapoint, IGenerationResult Response, Log Log);

/// <summary>An evaluator that runs here: its verdicts are posted to the run as an external evaluator's results.</summary>
internal abstract class LocalEvaluator
{
    /// <summary>The name, which is also the name of the external evaluator on the server.</summary>
    public abstract string Name { get; }

    /// <summary><c>boolean</c> or <c>number</c> when known before the first verdict; null when the first verdict decides.</summary>
    public virtual string? ReturnType => EvaluatorReturnTypes.Boolean;

    /// <summary>The verdict, a boolean or a number; null when the evaluator has nothing to judge in this case.</summary>
    /// <exception cref="EvaluatorFailedException">The evaluator failed on this case.</exception>
    public abstract Task<object?> JudgeAsync(EvaluationCase evaluationCase, CheckContext context, CancellationToken cancellationToken);
}

/// <summary>An evaluator failed on one datapoint; the message says why, for the run's results.</summary>
internal sealed class EvaluatorFailedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// A script block: it receives the log, the datapoint and the response (as <c>$Log</c>, <c>$Datapoint</c>,
/// <c>$Response</c>, and as arguments in that order; <c>$_</c> is the log) and returns one boolean or one number.
/// </summary>
internal sealed class ScriptEvaluator(string name, ScriptBlock script) : LocalEvaluator
{
    public override string Name => name;

    public override string? ReturnType => null;

    public override async Task<object?> JudgeAsync(EvaluationCase evaluationCase, CheckContext context, CancellationToken cancellationToken)
    {
        var output = await context.OnPipelineThreadAsync(() =>
        {
            try
            {
                var variables = new List<PSVariable>
                {
                    new("_", evaluationCase.Log),
                    new("Log", evaluationCase.Log),
                    new("Datapoint", evaluationCase.Datapoint),
                    new("Response", evaluationCase.Response),
                };
                return (Values: (System.Collections.ObjectModel.Collection<PSObject>?)script.InvokeWithContext(null, variables, evaluationCase.Log, evaluationCase.Datapoint, evaluationCase.Response), Failure: (string?)null);
            }
            catch (RuntimeException failed)
            {
                return (Values: (System.Collections.ObjectModel.Collection<PSObject>?)null, Failure: (string?)failed.Message);
            }
        }).ConfigureAwait(false);

        if (output.Failure is not null)
        {
            throw new EvaluatorFailedException(output.Failure);
        }

        var values = output.Values!.Select(PowerShellValues.Unwrap).Where(value => value is not null).ToList();
        return values switch
        {
            [var single] when EvaluationScore.IsResultValue(single) => single is bool ? single : EvaluationScore.AsNumber(single),
            [] => throw new EvaluatorFailedException("returned nothing; return $true or $false, or a number"),
            [var single] => throw new EvaluatorFailedException($"returned '{single}' ({single!.GetType().Name}); return $true or $false, or a number"),
            _ => throw new EvaluatorFailedException($"returned {values.Count} values; return one boolean or one number"),
        };
    }
}

/// <summary>
/// Expectations in the test-case syntax (<c>contains:refund</c>, <c>levenshtein&lt;=3:{{target.output}}</c>),
/// judged by the module's check engine; <c>{{name}}</c> reads the datapoint's input and <c>{{target.key}}</c>
/// its target. Passes when every expectation holds.
/// </summary>
internal class ExpectationEvaluator(string text, Func<string, string> resolvePath) : LocalEvaluator
{
    public override string Name => text;

    /// <summary>Reads the expectations once without a datapoint, so a malformed one stops the run before it starts.</summary>
    /// <exception cref="FormatException">An expectation is malformed.</exception>
    public static void Validate(string text) => Expectation.ParseList(text);

    public override Task<object?> JudgeAsync(EvaluationCase evaluationCase, CheckContext context, CancellationToken cancellationToken) =>
        JudgeAsync(text, evaluationCase, context, cancellationToken);

    protected async Task<object?> JudgeAsync(string expectations, EvaluationCase evaluationCase, CheckContext context, CancellationToken cancellationToken)
    {
        List<Expectation> parsed;
        try
        {
            parsed = Expectation.ParseList(expectations, Placeholders(evaluationCase.Datapoint));
        }
        catch (FormatException malformed)
        {
            throw new EvaluatorFailedException(malformed.Message, malformed);
        }

        var failures = new List<string>();
        foreach (var expectation in parsed)
        {
            OutputCheck check;
            bool not;
            try
            {
                (check, not) = ExpectationChecks.For(expectation, null, resolvePath);
            }
            catch (ArgumentException unusable)
            {
                throw new EvaluatorFailedException(unusable.Message, unusable);
            }

            var report = await CheckEngine.RunAsync(check, [evaluationCase.Response], new CheckMode(not, null), context, cancellationToken).ConfigureAwait(false);
            if (report.Problem is { } problem)
            {
                throw new EvaluatorFailedException($"{expectation.Text}: {problem}");
            }

            if (!report.Passed)
            {
                failures.Add(expectation.Text);
            }
        }

        return failures.Count == 0;
    }

    // {{name}} is an input, {{target.key}} a member of the target; values as the dataset files write them.
    private static Dictionary<string, string?> Placeholders(Datapoint datapoint)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry input in datapoint.Inputs ?? new Hashtable())
        {
            values[input.Key.ToString()!] = DatasetFileWriter.Cell(input.Value);
        }

        foreach (DictionaryEntry member in datapoint.Target ?? new Hashtable())
        {
            values["target." + member.Key] = DatasetFileWriter.Cell(member.Value);
        }

        return values;
    }
}

/// <summary>
/// The expectations a datapoint carries itself, in its target's <c>expect</c> member (the <c>expect</c> column
/// of a dataset or test-case file); datapoints without any are not judged.
/// </summary>
internal sealed class CaseExpectationEvaluator(Func<string, string> resolvePath) : ExpectationEvaluator(Member, resolvePath)
{
    /// <summary>The evaluator's name: the target member the expectations come from.</summary>
    public const string Member = DatasetFileWriter.ExpectMember;

    /// <summary>Whether any of <paramref name="datapoints"/> carries expectations.</summary>
    public static bool AnyIn(IEnumerable<Datapoint> datapoints) => datapoints.Any(datapoint => Of(datapoint) is not null);

    public override Task<object?> JudgeAsync(EvaluationCase evaluationCase, CheckContext context, CancellationToken cancellationToken) =>
        Of(evaluationCase.Datapoint) is { } expectations ? JudgeAsync(expectations, evaluationCase, context, cancellationToken) : Task.FromResult<object?>(null);

    private static string? Of(Datapoint datapoint) =>
        datapoint.Target is { } target && target.Contains(Member) && PowerShellValues.Unwrap(target[Member]) is string text && !string.IsNullOrWhiteSpace(text) ? text : null;
}
