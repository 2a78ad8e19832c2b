using System.Collections;
using System.Collections.Generic;
using System.Text.Json.Serialization;
using Humanloop.Json;

namespace Humanloop;

/// <summary>One message of a conversation (the API's <c>ChatMessageWithToolCall</c>, reference §4).</summary>
public sealed class ChatMessage
{
    /// <summary><c>user</c>, <c>assistant</c>, <c>system</c> or <c>tool</c> (required by the API).</summary>
    public string? Role { get; set; }

    /// <summary>The text, or a list of content parts (text and image parts); null on a pure tool-call message.</summary>
    [JsonConverter(typeof(FreeFormValueConverter))]
    public object? Content { get; set; }

    /// <summary>An optional name of the speaker.</summary>
    public string? Name { get; set; }

    /// <summary>On a <c>tool</c> message: the id of the call this message answers.</summary>
    public string? ToolCallId { get; set; }

    /// <summary>On an <c>assistant</c> message: the tools the model asked to call.</summary>
    public IReadOnlyList<ToolCall>? ToolCalls { get; set; }

    /// <summary>A user message with <paramref name="text"/>.</summary>
    public static ChatMessage User(string text) => new() { Role = "user", Content = text };

    /// <summary>A tool message answering the call <paramref name="toolCallId"/>.</summary>
    public static ChatMessage Tool(string? toolCallId, string? name, string text) => new() { Role = "tool", ToolCallId = toolCallId, Name = name, Content = text };

    /// <summary>The text of the message: its content, or the text parts of a content list joined.</summary>
    [JsonIgnore]
    public string? Text => Content switch
    {
        null => null,
        string text => text,
        IEnumerable parts => JoinTextParts(parts),
        _ => Content.ToString(),
    };

    /// <inheritdoc />
    public override string ToString() => $"{Role}: {Text ?? (ToolCalls is { Count: > 0 } calls ? string.Join(", ", calls) : string.Empty)}";

    private static string JoinTextParts(IEnumerable parts)
    {
        var texts = new List<string>();
        foreach (var part in parts)
        {
            if (part is IDictionary fields && fields["text"] is string text)
            {
                texts.Add(text);
            }
        }

        return string.Join("\n", texts);
    }
}

/// <summary>A call the model asked for (the API's <c>ToolCall</c>).</summary>
public sealed class ToolCall
{
    /// <summary>The call's id; the tool message answering it names this id.</summary>
    public string? Id { get; set; }

    /// <summary>Always <c>function</c> in v4.</summary>
    public string? Type { get; set; } = "function";

    /// <summary>The function to call and its arguments.</summary>
    public FunctionCall? Function { get; set; }

    /// <summary>The function's name, or null.</summary>
    [JsonIgnore]
    public string? Name => Function?.Name;

    /// <summary>The arguments as the model wrote them: a JSON object in text.</summary>
    [JsonIgnore]
    public string? Arguments => Function?.Arguments;

    /// <inheritdoc />
    public override string ToString() => $"{Name}({Arguments})";
}

/// <summary>A function call: a name and its JSON-encoded arguments (the API's <c>FunctionTool</c>).</summary>
public sealed class FunctionCall
{
    /// <summary>The function's name (required by the API).</summary>
    public string? Name { get; set; }

    /// <summary>The arguments: a JSON object in text, as the model produced it.</summary>
    public string? Arguments { get; set; }
}

/// <summary>A tool the model may call (the API's <c>ModelConfigToolRequest</c>, reference §3.6).</summary>
public sealed class ToolDefinition
{
    /// <summary>The name the model calls it by (required by the API).</summary>
    public string? Name { get; set; }

    /// <summary>What the tool does; the model reads it to decide when to call it.</summary>
    public string? Description { get; set; }

    /// <summary>The JSON Schema of the arguments object.</summary>
    [JsonConverter(typeof(FreeFormDictionaryConverter))]
    public IDictionary? Parameters { get; set; }

    /// <summary><c>organization</c> or <c>inline</c>.</summary>
    public string? Source { get; set; }

    /// <summary>Source code of an inline tool.</summary>
    public string? SourceCode { get; set; }

    /// <summary>Extra tool settings passed through.</summary>
    [JsonConverter(typeof(FreeFormDictionaryConverter))]
    public IDictionary? Other { get; set; }

    /// <summary>A preset tool's name.</summary>
    public string? PresetName { get; set; }

    /// <inheritdoc />
    public override string ToString() => Name ?? string.Empty;
}
