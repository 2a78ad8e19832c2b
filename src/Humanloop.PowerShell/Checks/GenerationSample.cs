using System.Collections.Generic;

namespace Humanloop.PowerShell.Checks;

/// <summary>
/// What the Humanloop Should operators check about one generated sample, whichever way it reached the
/// test: in a response, as a response's item, as the chunks of a stream, or as plain text.
/// </summary>
public sealed class GenerationSample
{
    private GenerationSample(int index, string? logId, string? output, string? finishReason, Usage? usage, IReadOnlyList<ToolCall>? toolCalls, object value)
    {
        Index = index;
        LogId = logId;
        Output = output;
        FinishReason = finishReason;
        Usage = usage;
        ToolCalls = toolCalls;
        Value = value;
    }

    /// <summary>Which sample of its response this is (for plain text: its position among the texts given).</summary>
    public int Index { get; }

    /// <summary>The id of the sample's log; null for plain text.</summary>
    public string? LogId { get; }

    /// <summary>The generated text; for a chat, the text of the assistant's message, trimmed like a completion's output.</summary>
    public string? Output { get; }

    /// <summary>Why generation stopped; null for plain text and for a stream that did not finish.</summary>
    public string? FinishReason { get; }

    /// <summary>This sample's token counts when they are known: a one-sample response's, or a streamed sample's final chunk's.</summary>
    public Usage? Usage { get; }

    /// <summary>The tools a chat sample asked to call; null for completions and text.</summary>
    public IReadOnlyList<ToolCall>? ToolCalls { get; }

    /// <summary>
    /// What a <c>-HaveEveryHumanloopSample</c> block sees as <c>$_</c>: the <see cref="CompletionData"/> or
    /// <see cref="ChatData"/> (assembled, for chunks), or the text.
    /// </summary>
    public object Value { get; }

    /// <summary>Whether this is plain text rather than a Humanloop result: text has no finish reason or token counts.</summary>
    public bool IsText => Value is string;

    /// <summary>Whether this is a chat sample: only those carry tool calls.</summary>
    public bool IsChat => Value is ChatData;

    /// <inheritdoc />
    public override string ToString() => $"sample {Index}: {Output}";

    internal static GenerationSample Of(GenerationData data, Usage? usage)
    {
        var message = (data as ChatData)?.Message;
        // A chat's text is its assistant message's, trimmed as the API trims a completion's output.
        return new GenerationSample(data.Index, data.Id, message is null ? data.Output : message.Text?.Trim(), data.FinishReason, usage, message?.ToolCalls, data);
    }

    internal static GenerationSample OfText(string text, int index) => new(index, null, text, null, null, null, text);

    /// <summary>A response's samples; a response of one sample lends it the response's token counts.</summary>
    internal static IEnumerable<GenerationSample> OfResult(IGenerationResult result)
    {
        var usage = result.Samples.Count == 1 ? result.Usage : null;
        foreach (var data in result.Samples)
        {
            yield return Of(data, usage);
        }
    }

    internal static IEnumerable<GenerationSample> OfStream(IEnumerable<GenerationChunk> chunks)
    {
        foreach (var sample in StreamedSample.Assemble(chunks))
        {
            yield return Of(sample.Data, sample.Usage);
        }
    }
}
