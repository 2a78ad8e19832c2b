using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Humanloop.PowerShell.Checks;

/// <summary>
/// The one assertion engine: reads what was given into samples (or responses), has the check judge each,
/// and applies the mode. Every face (the Should-Humanloop… assertions, the Should operators,
/// Test-HumanloopOutput) runs checks through here.
/// </summary>
public static class CheckEngine
{
    /// <summary>
    /// Applies <paramref name="check"/> to <paramref name="values"/>: CompletionResponse and ChatResponse
    /// objects, their Data items, the chunks of streams of either kind (assembled per sample), or strings.
    /// Input the check cannot read makes a report with a <see cref="CheckReport.Problem"/>, never an exception.
    /// </summary>
    /// <param name="check">The check.</param>
    /// <param name="values">What was given, in order; PSObject wrappers are looked through.</param>
    /// <param name="mode">Every sample, at least K, negated.</param>
    /// <param name="context">The pipeline thread and client, for checks that need them.</param>
    /// <param name="cancellationToken">Stops the checks that wait (graders, script blocks).</param>
    public static async Task<CheckReport> RunAsync(OutputCheck check, IEnumerable<object?> values, CheckMode mode, CheckContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(values);
        var results = new List<CheckResult>();
        try
        {
            switch (check)
            {
                case SampleCheck sampleCheck:
                    var samples = GenerationSamples.From(values);
                    foreach (var sample in samples)
                    {
                        if (sampleCheck.Refuses(sample) is { } refusal)
                        {
                            return new CheckReport(check, mode, [], refusal);
                        }
                    }

                    foreach (var sample in samples)
                    {
                        var verdict = await sampleCheck.JudgeAsync(sample, context, cancellationToken).ConfigureAwait(false);
                        results.Add(new CheckResult(check.Name, CheckSubject.Sample, sample.Index, [sample], verdict, mode.Not));
                    }

                    break;

                case ResponseCheck responseCheck:
                    var responses = CheckedResponse.From(values);
                    for (var position = 0; position < responses.Count; position++)
                    {
                        var verdict = await responseCheck.JudgeAsync(responses[position], context, cancellationToken).ConfigureAwait(false);
                        results.Add(new CheckResult(check.Name, CheckSubject.Response, position, responses[position].Samples, verdict, mode.Not));
                    }

                    break;

                default:
                    throw new ArgumentException($"A check derives from SampleCheck or ResponseCheck; {check.GetType().FullName} does neither.", nameof(check));
            }
        }
        catch (UncheckableValueException unreadable)
        {
            return new CheckReport(check, mode, [], $"{check.Accepts}; it was given {Given(unreadable.Value)}.");
        }

        return new CheckReport(check, mode, results, null);
    }

    private static string Given(object? value) => value is null ? "$null (did the call fail?)" : value.GetType().FullName!;
}
