using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Humanloop.Judging;

/// <summary>The judgments of what a generation reported about itself: why it finished, how many tokens it used, how long it took.</summary>
public static class RunFactJudgments
{
    /// <summary>The sample finished for one of <paramref name="accepted"/> (compared ignoring case).</summary>
    /// <param name="finishReason">Why the sample finished; null or empty when it did not say.</param>
    /// <param name="accepted">The accepted reasons.</param>
    public static Verdict FinishReason(string? finishReason, IReadOnlyList<string> accepted) =>
        accepted.Contains(finishReason, StringComparer.OrdinalIgnoreCase)
            ? Verdict.Held()
            : Verdict.NotHeld(finishReason is { Length: > 0 } reason ? $"finished with '{reason}'" : "finished with no finish reason");

    /// <summary>The generation used at most <paramref name="maxTokens"/> tokens in total (prompt and generated); the verdict's score is the total.</summary>
    /// <param name="totalTokens">Tokens in all, as reported.</param>
    /// <param name="promptTokens">Tokens of the prompt.</param>
    /// <param name="generationTokens">Tokens generated.</param>
    /// <param name="maxTokens">The budget.</param>
    public static Verdict Tokens(int totalTokens, int promptTokens, int generationTokens, double maxTokens) =>
        Verdict.Judged(totalTokens <= maxTokens, $"used {totalTokens} ({promptTokens} prompt, {generationTokens} generated)", totalTokens);

    /// <summary>The call took at most <paramref name="maxLatency"/>; the verdict's score is the duration in seconds.</summary>
    /// <param name="duration">How long it took.</param>
    /// <param name="maxLatency">The limit.</param>
    public static Verdict Latency(TimeSpan duration, TimeSpan maxLatency) =>
        Verdict.Judged(duration <= maxLatency, $"took {Seconds(duration)}", duration.TotalSeconds);

    /// <summary>A duration as details show it: <c>1.25 s</c>.</summary>
    /// <param name="span">The duration.</param>
    public static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
