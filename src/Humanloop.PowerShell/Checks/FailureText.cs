using System.Collections.Generic;
using System.Linq;
using Humanloop.Judging;

namespace Humanloop.PowerShell.Checks;

/// <summary>
/// The wording of failed checks, one for both faces: "Expected every Humanloop sample to contain 'x'
/// (Should-HumanloopContain), but 1 of 2 did not: sample 1 (log data_b): 'I am not sure.'".
/// </summary>
internal static class FailureText
{
    /// <summary>Output is shown on one line and cut here, so a failing CI log stays readable.</summary>
    internal const int ShownOutputLength = JudgedText.ShownOutputLength;

    public static string Noun(CheckSubject subject) => subject == CheckSubject.Response ? "response" : "sample";

    public static string For(CheckReport report, string assertion, string? because)
    {
        if (report.Problem is not null)
        {
            return $"{assertion} {report.Problem}";
        }

        var noun = Noun(report.Subject);
        if (report.Total == 0)
        {
            return $"Expected Humanloop {noun}s to check ({assertion}), but got none.";
        }

        var reason = string.IsNullOrWhiteSpace(because) ? string.Empty : $", because {because.Trim()}";
        var failures = report.Failures;
        var not = report.Mode.Not;
        string message;
        if (report.Mode.AtLeast is { } atLeast)
        {
            var who = failures.Count == 1 ? "this" : "these";
            message = $"Expected at least {atLeast} of {report.Total} Humanloop {noun}s {(not ? "not " : string.Empty)}to {report.Expectation}{reason} ({assertion}), " +
                $"but {report.PassedCount} {(not ? "did not" : "did")}; {who} {(not ? "did" : "did not")}";
        }
        else
        {
            var count = report.Total > 1 ? $"{failures.Count} of {report.Total}" : $"{failures.Count}";
            message = $"Expected {(not ? "no" : "every")} Humanloop {noun} to {report.Expectation}{reason} ({assertion}), but {count} {(not ? "did" : "did not")}";
        }

        var lines = failures.Select(Describe).ToList();
        return lines.Count switch
        {
            0 => message + ".",
            1 => $"{message}: {lines[0]}",
            _ => $"{message}:\n  {string.Join("\n  ", lines)}",
        };
    }

    /// <summary>"sample 1 (log data_b) finished with 'length': 'I am not sure.'", or the same for a response.</summary>
    public static string Describe(CheckResult result)
    {
        var detail = string.IsNullOrEmpty(result.Reason) ? string.Empty : " " + result.Reason;
        if (result.Subject == CheckSubject.Sample)
        {
            var log = result.LogId is { } id ? $"log {id}" : "no log id";
            return $"sample {result.Index} ({log}){detail}: {Output(result.Output)}";
        }

        var logs = result.LogIds.Count > 0 ? "log " + string.Join(", ", result.LogIds) : "no log id";
        return $"response ({logs}){detail}: {Outputs(result.Samples)}";
    }

    /// <summary>A response's output: its one sample's text, or each sample's apart ("sample 0: '…' | sample 1: '…'").</summary>
    private static string Outputs(IReadOnlyList<GenerationSample> samples) => samples.Count == 1
        ? Output(samples[0].Output)
        : samples.Count == 0 ? "(no output)" : string.Join(" | ", samples.Select(sample => $"sample {sample.Index}: {Output(sample.Output)}"));

    /// <summary>Text on one line, quoted, cut at <see cref="ShownOutputLength"/> characters; "(no output)" for none (a chat answer that only calls tools).</summary>
    public static string Output(string? text) => JudgedText.Output(text);

    /// <summary>A value quoted for an expectation, on one line and cut like output.</summary>
    public static string Quote(string text) => JudgedText.Quote(text);
}
