using System.Collections.Generic;

namespace Humanloop;

/// <summary>
/// One server-sent event of a streamed completion: a delta of one sample's output. Concatenating the
/// <see cref="Output"/> of every chunk with the same <see cref="Index"/> gives that sample's text.
/// </summary>
public sealed class CompletionChunk
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

    /// <summary>The delta text, so a chunk prints as the words it adds.</summary>
    public override string ToString() => Output;
}
