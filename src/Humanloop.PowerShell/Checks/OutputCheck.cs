using System.Threading;
using System.Threading.Tasks;
using Humanloop.Judging;

namespace Humanloop.PowerShell.Checks;

/// <summary>What one check judges at a time: each sample, or each whole response (token counts and latency belong to a response).</summary>
public enum CheckSubject
{
    /// <summary>Each generated sample.</summary>
    Sample,

    /// <summary>Each response (the chunks of a stream are one response).</summary>
    Response,
}

/// <summary>
/// One check of generated output, written once and shown both as a <c>Should-Humanloop…</c> assertion and
/// through <c>Test-HumanloopOutput</c>. A check only judges; <see cref="CheckEngine"/> reads the input,
/// applies the mode (every sample, at least K, <c>-Not</c>) and words the result.
/// </summary>
/// <remarks>
/// New checks derive from <see cref="SampleCheck"/> (or <see cref="ScoringCheck"/>) or <see cref="ResponseCheck"/>.
/// Judging is asynchronous so that a check may call the API (a model-graded check reaches the runspace's
/// client through <see cref="CheckContext"/>) or run PowerShell on the pipeline thread.
/// </remarks>
public abstract class OutputCheck
{
    /// <summary>The check's name as results report it, the same as its <c>Test-HumanloopOutput</c> parameter (for example <c>Contain</c>).</summary>
    public abstract string Name { get; }

    /// <summary>What the check expects, worded to follow "Expected every Humanloop sample to …" (for example <c>contain 'refund'</c>).</summary>
    public abstract string Expectation { get; }

    /// <summary>Whether the check judges samples or responses.</summary>
    public abstract CheckSubject Subject { get; }

    /// <summary>What the check can read, worded to follow the assertion's name in a message about input it cannot read.</summary>
    public virtual string Accepts => "checks Humanloop completion or chat responses, their Data items or stream chunks, or strings";

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {Expectation}";
}

/// <summary>A check of each sample on its own.</summary>
public abstract class SampleCheck : OutputCheck
{
    /// <inheritdoc />
    public sealed override CheckSubject Subject => CheckSubject.Sample;

    /// <summary>
    /// Why this check cannot judge <paramref name="sample"/> at all (for example a finish reason asked of
    /// plain text), worded to follow the assertion's name; null when it can.
    /// </summary>
    public virtual string? Refuses(GenerationSample sample) => null;

    /// <summary>Judges one sample.</summary>
    public abstract ValueTask<Verdict> JudgeAsync(GenerationSample sample, CheckContext context, CancellationToken cancellationToken);
}

/// <summary>A check of each response as a whole.</summary>
public abstract class ResponseCheck : OutputCheck
{
    /// <inheritdoc />
    public sealed override CheckSubject Subject => CheckSubject.Response;

    /// <summary>Judges one response.</summary>
    public abstract ValueTask<Verdict> JudgeAsync(CheckedResponse response, CheckContext context, CancellationToken cancellationToken);
}
