using System.Collections.Generic;
using Humanloop.Streaming;

namespace Humanloop;

/// <summary>What every generation result offers to code that treats completions and chats alike.</summary>
public interface IGenerationResult
{
    /// <summary>The samples, in index order.</summary>
    IReadOnlyList<GenerationData> Samples { get; }

    /// <summary>Token counts, when the server reported them.</summary>
    Usage? Usage { get; }

    /// <summary>How long the call took, from the request's first byte sent to the response's last byte read.</summary>
    System.TimeSpan Duration { get; }
}

/// <summary>
/// One server-sent event of a streamed generation: a delta of one sample. Concatenating the
/// <see cref="Output"/> of every chunk with the same <see cref="Index"/> gives that sample's text.
/// </summary>
public abstract class GenerationChunk
{
    /// <summary>Which sample this delta belongs to.</summary>
    public int Index { get; init; }

    /// <summary>The sample's log id (<c>data_…</c>).</summary>
    public string? Id { get; init; }

    /// <summary>The text added by this chunk.</summary>
    public string Output { get; init; } = string.Empty;

    /// <summary>Set on the sample's last chunk; null before that.</summary>
    public string? FinishReason { get; init; }

    /// <summary>The config producing this sample.</summary>
    public string? ModelConfigId { get; init; }

    /// <summary>The parent project's id.</summary>
    public string? ProjectId { get; init; }

    /// <summary>The session id, if any.</summary>
    public string? SessionId { get; init; }

    /// <summary>Tool results carried by this chunk, if any.</summary>
    public IReadOnlyList<ToolResult>? ToolResults { get; init; }

    /// <summary>Token counts, when the server put them on this chunk (usually a sample's last).</summary>
    public Usage? Usage { get; init; }

    /// <summary>
    /// The sample's log id on the chunk that finishes the sample; null on the chunks before it. The server
    /// writes a sample's log when the sample finishes, so only then is there a log to look up or rate.
    /// </summary>
    public string? FinishedLogId => string.IsNullOrEmpty(FinishReason) || string.IsNullOrEmpty(Id) ? null : Id;

    /// <summary>
    /// <see cref="FinishedLogId"/> for piping: on the other chunks an empty list rather than null, which a
    /// -LogId parameter takes quietly, so a piped stream names each sample's log once, not once per chunk.
    /// </summary>
    public object LogId => FinishedLogId is { } id ? id : System.Array.Empty<string>();

    /// <summary>The delta text, so a chunk prints as the words it adds.</summary>
    public override string ToString() => Output;

    /// <summary>Takes what this kind of chunk carries beyond the shared fields from the event's item.</summary>
    internal virtual void TakeKindFields(GenerationData item)
    {
    }

    /// <summary>A new assembly for the sample this chunk belongs to: the one a stream of this kind uses.</summary>
    internal abstract SampleAssembly NewSample();

    /// <summary>This chunk as the event item it was made from, as far as a chunk keeps it.</summary>
    internal abstract GenerationData ToItem();

    /// <summary>The finished sample of this kind from its assembly.</summary>
    internal abstract GenerationData Build(SampleAssembly sample, int index);

    /// <summary>The shared fields as an item of kind <typeparamref name="TData"/>.</summary>
    private protected TData ItemOf<TData>()
        where TData : GenerationData, new() => new()
    {
        Id = Id,
        Index = Index,
        Output = Output,
        RawOutput = Output,
        FinishReason = FinishReason,
        ModelConfigId = ModelConfigId,
        ToolResults = ToolResults,
    };
}

/// <summary>One server-sent event of a streamed completion.</summary>
public sealed class CompletionChunk : GenerationChunk
{
    internal override SampleAssembly NewSample() => GenerationKinds.NewCompletionSample();

    internal override GenerationData ToItem() => ItemOf<CompletionData>();

    internal override GenerationData Build(SampleAssembly sample, int index) => sample.Build<CompletionData>(index);
}

/// <summary>
/// One server-sent event of a streamed chat: a text delta and, when the model calls tools, fragments of
/// those calls. The assembled <see cref="ChatResponse"/> joins the fragments per call.
/// </summary>
public sealed class ChatChunk : GenerationChunk
{
    /// <summary>Tool-call fragments of this event: the arguments of each are a piece of the whole.</summary>
    public IReadOnlyList<ToolCall>? ToolCalls { get; private set; }

    internal override void TakeKindFields(GenerationData item) => ToolCalls = ToolCallsOf((ChatData)item);

    internal override SampleAssembly NewSample() => GenerationKinds.NewChatSample();

    internal override GenerationData ToItem()
    {
        var item = ItemOf<ChatData>();
        item.ToolCalls = ToolCalls;
        return item;
    }

    internal override GenerationData Build(SampleAssembly sample, int index) => sample.Build<ChatData>(index);

    /// <summary>An item's tool calls: the message's, else the item's own list (older servers fill only one).</summary>
    internal static IReadOnlyList<ToolCall>? ToolCallsOf(ChatData item) => item.OutputMessage?.ToolCalls ?? item.ToolCalls;
}
