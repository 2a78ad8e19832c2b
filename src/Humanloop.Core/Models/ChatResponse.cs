using System.Collections.Generic;
using System.Text.Json.Serialization;
using Humanloop.Json;

namespace Humanloop;

/// <summary>The result of a chat request (API reference §6.2).</summary>
public sealed class ChatResponse : GenerationResponse<ChatData>
{
    /// <summary>Echo of the request's tool choice.</summary>
    [JsonConverter(typeof(FreeFormValueConverter))]
    public object? ToolChoice { get; init; }

    /// <summary>The single sample's assistant message; null when the response holds several samples.</summary>
    [JsonIgnore]
    public ChatMessage? Message => Data.Count == 1 ? Data[0].Message : null;

    /// <summary>
    /// The single sample's conversation: the request's messages and the assistant's reply, ready to be
    /// sent again with the next message. Null when the response holds several samples (each has its own).
    /// </summary>
    [JsonIgnore]
    public IReadOnlyList<ChatMessage>? Conversation => Data.Count == 1 ? Data[0].Conversation : null;

    /// <summary>Remembers which messages the request sent, so each sample knows its conversation.</summary>
    internal ChatResponse WithSent(IList<ChatMessage>? sent)
    {
        foreach (var item in Data)
        {
            item.Sent = sent is null ? [] : new List<ChatMessage>(sent).ToArray();
        }

        return this;
    }
}

/// <summary>One generated sample of a chat: the assistant's message; its <see cref="GenerationData.Id"/> is the log id.</summary>
public sealed class ChatData : GenerationData
{
    /// <summary>The messages the model was given (the config's template and the request's messages).</summary>
    [JsonInclude]
    public IReadOnlyList<ChatMessage>? Messages { get; internal set; }

    /// <summary>The assistant's answer: its text and the tool calls it asks for.</summary>
    [JsonInclude]
    public ChatMessage? OutputMessage { get; internal set; }

    /// <summary>The tool calls of the answer (the API repeats <c>output_message.tool_calls</c> here).</summary>
    [JsonInclude]
    public IReadOnlyList<ToolCall>? ToolCalls { get; internal set; }

    /// <summary>The request's messages and this sample's reply (null on a result the client did not request).</summary>
    [JsonIgnore]
    public IReadOnlyList<ChatMessage>? Conversation => Sent is null ? null : new List<ChatMessage>(Sent) { Message };

    [JsonIgnore]
    internal ChatMessage[]? Sent { get; set; }

    /// <summary>The assistant's answer; built from <see cref="GenerationData.Output"/> when the server sent no message.</summary>
    [JsonIgnore]
    public ChatMessage Message => OutputMessage is { } message && (message.ToolCalls is not null || ToolCalls is null)
        ? message
        : new ChatMessage { Role = OutputMessage?.Role ?? "assistant", Content = OutputMessage?.Content ?? Output, ToolCalls = ToolCalls };
}
