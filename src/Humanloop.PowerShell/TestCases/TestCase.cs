using System.Collections.Generic;
using System.Collections.Specialized;

namespace Humanloop;

/// <summary>
/// One test case read by Import-HumanloopTestCase: the template inputs, the chat messages (for a chat
/// prompt) and the expectations to check its answer against, with where it came from.
/// </summary>
public sealed class TestCase
{
    /// <summary>The case's name: its <c>name</c> column, else its file and line.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>The template inputs: every column that is not name, messages, expectations or target.</summary>
    public OrderedDictionary Inputs { get; init; } = new();

    /// <summary>The chat messages, from a <c>messages</c> (JSON) or <c>message</c> (one user message) column; empty for completions.</summary>
    public IReadOnlyList<ChatMessage> Messages { get; init; } = [];

    /// <summary>
    /// The target evaluators compare an answer with, from a <c>target</c> column (a JSON object, or text that
    /// becomes <c>output</c>) and <c>target.&lt;name&gt;</c> columns; empty when the case has none.
    /// </summary>
    public OrderedDictionary Target { get; init; } = new();

    /// <summary>The expectations, from the <c>expect</c> column.</summary>
    public IReadOnlyList<Expectation> Expectations { get; init; } = [];

    /// <summary>The file and line (CSV: the row's first line; JSONL: the line) the case was read from.</summary>
    public string Source { get; init; } = string.Empty;

    /// <inheritdoc />
    public override string ToString() => Name;
}
