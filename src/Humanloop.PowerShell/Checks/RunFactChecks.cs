using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Humanloop.Judging;

namespace Humanloop.PowerShell.Checks;

/// <summary><c>FinishReason</c>: the sample finished for one of the given reasons (<c>stop</c>, <c>length</c>, <c>tool_call</c>, …).</summary>
public sealed class FinishReasonCheck : SampleCheck
{
    private readonly IReadOnlyList<string> _reasons;

    /// <summary>Creates the check.</summary>
    /// <param name="reasons">The accepted reasons; at least one.</param>
    public FinishReasonCheck(IReadOnlyList<string> reasons)
    {
        if (reasons is null || reasons.Count == 0)
        {
            throw new ArgumentException("FinishReason needs the accepted finish reasons, for example stop or length.", nameof(reasons));
        }

        _reasons = reasons;
    }

    /// <inheritdoc />
    public override string Name => "FinishReason";

    /// <inheritdoc />
    public override string Expectation => "finish with " + string.Join(" or ", _reasons.Select(reason => $"'{reason}'"));

    /// <inheritdoc />
    public override string? Refuses(GenerationSample sample) => sample.IsText ? "needs Humanloop results; a string has no finish reason." : null;

    /// <inheritdoc />
    public override ValueTask<Verdict> JudgeAsync(GenerationSample sample, CheckContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(RunFactJudgments.FinishReason(sample.FinishReason, _reasons));
}

/// <summary><c>MaxTokens</c>: the response used at most N tokens in total (prompt and generated); a stream's count is the sum of its samples' final chunks.</summary>
public sealed class MaxTokensCheck(int maxTokens) : ResponseCheck
{
    /// <inheritdoc />
    public override string Name => "MaxTokens";

    /// <inheritdoc />
    public override string Expectation => $"use at most {maxTokens} tokens";

    /// <inheritdoc />
    public override string Accepts => "needs Humanloop.CompletionResponse objects or ChatResponse objects (or the chunks of a stream), which carry token counts";

    /// <inheritdoc />
    public override ValueTask<Verdict> JudgeAsync(CheckedResponse response, CheckContext context, CancellationToken cancellationToken)
    {
        if (response.Usage is not { } usage)
        {
            // Without counts the budget cannot be judged either way.
            return ValueTask.FromResult(Verdict.CannotJudge("reported no token counts"));
        }

        return ValueTask.FromResult(RunFactJudgments.Tokens(usage.TotalTokens, usage.PromptTokens, usage.GenerationTokens, maxTokens));
    }
}

/// <summary>
/// <c>MaxLatency</c>: the call took at most this long, from the request's first byte sent to the response's
/// last byte read (the response's Duration). The chunks of a stream do not carry it; check the assembled
/// response (New-HumanloopCompletion -Stream -ResponseVariable) instead.
/// </summary>
public sealed class MaxLatencyCheck(TimeSpan maxLatency) : ResponseCheck
{
    /// <inheritdoc />
    public override string Name => "MaxLatency";

    /// <inheritdoc />
    public override string Expectation => $"take at most {RunFactJudgments.Seconds(maxLatency)}";

    /// <inheritdoc />
    public override string Accepts => "needs Humanloop.CompletionResponse objects or ChatResponse objects, which carry how long the call took";

    /// <inheritdoc />
    public override ValueTask<Verdict> JudgeAsync(CheckedResponse response, CheckContext context, CancellationToken cancellationToken)
    {
        if (response.Duration is not { } duration)
        {
            return ValueTask.FromResult(Verdict.CannotJudge("is a stream's chunks, which do not say how long the call took (check the response from -ResponseVariable)"));
        }

        return ValueTask.FromResult(RunFactJudgments.Latency(duration, maxLatency));
    }
}

/// <summary>
/// <c>Satisfy</c>: a script block holds for the sample, seen as <c>$_</c> (the CompletionData or ChatData, or
/// the text): it throws nothing and writes nothing false, so it may be a predicate or Should assertions.
/// </summary>
public sealed class SatisfyCheck(ScriptBlock condition) : SampleCheck
{
    /// <inheritdoc />
    public override string Name => "Satisfy";

    /// <inheritdoc />
    public override string Expectation => $"satisfy {{ {string.Join(' ', condition.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))} }}";

    /// <inheritdoc />
    public override async ValueTask<Verdict> JudgeAsync(GenerationSample sample, CheckContext context, CancellationToken cancellationToken) =>
        await context.OnPipelineThreadAsync(() => Run(sample.Value)).ConfigureAwait(false);

    private Verdict Run(object value)
    {
        try
        {
            var written = condition.InvokeWithContext(null, [new PSVariable("_", value)], value);
            return written.All(LanguagePrimitives.IsTrue) ? Verdict.Held() : Verdict.NotHeld("returned false");
        }
        catch (RuntimeException thrown)
        {
            var message = thrown is MethodInvocationException { InnerException: { } inner } ? inner.Message : thrown.Message;
            return Verdict.NotHeld($"threw ({string.Join(' ', message.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))})");
        }
    }
}
