using System.Text.Json;
using System.Text.Json.Nodes;
using Humanloop.Server.Http;

namespace Humanloop.Server.Domain;

/// <summary>
/// Reads lists of <c>ChatMessageWithToolCall</c> (a request's <c>messages</c>, a config's
/// <c>chat_template</c>), reporting every problem at its full location.
/// </summary>
internal static class ChatMessageReader
{
    private static readonly string[] PartTypes = ["text", "image_url"];
    private static readonly string[] ImageDetails = ["high", "low", "auto"];

    public static IReadOnlyList<ChatMessage>? ReadList(FieldReader body, string name, bool required = false)
    {
        var items = body.ObjectList(name, required);
        return items?.Select(Read).OfType<ChatMessage>().ToList();
    }

    /// <summary>One message (a log's <c>output_message</c>), checked like a list's.</summary>
    public static ChatMessage? ReadOne(FieldReader body, string name) => body.Nested(name) is { } message ? Read(message) : null;

    /// <summary>A stored list, checked when it was stored; anything unreadable is skipped.</summary>
    public static IReadOnlyList<ChatMessage> FromStored(JsonArray? messages)
    {
        var ignored = new ValidationErrors();
        return (messages ?? []).OfType<JsonObject>().Select(m => Read(new FieldReader(m, [], ignored))).OfType<ChatMessage>().ToList();
    }

    private static ChatMessage? Read(FieldReader message)
    {
        var errorsBefore = message.Errors.Count;
        var role = message.Enum("role", ChatMessage.Roles, required: true);
        CheckContent(message);
        var name = message.String("name");
        var toolCallId = message.String("tool_call_id");
        var toolCalls = message.ObjectList("tool_calls")?.Select(ReadToolCall).OfType<ToolCall>().ToList();
        // Deprecated in favour of tool_calls: checked, then ignored.
        message.Nested("tool_call")?.String("name", required: true);

        if (role is null || message.Errors.Count > errorsBefore)
        {
            return null;
        }

        return new ChatMessage
        {
            Role = role,
            Content = message.Object["content"]?.DeepClone(),
            Name = name,
            ToolCallId = toolCallId,
            ToolCalls = toolCalls,
        };
    }

    private static ToolCall? ReadToolCall(FieldReader call)
    {
        var id = call.String("id", required: true);
        call.Enum("type", [ToolCall.FunctionType]);
        var function = call.Nested("function", required: true);
        var name = function?.String("name", required: true);
        var arguments = function?.String("arguments");
        return id is null || name is null ? null : ToolCall.Of(id, name, arguments ?? "");
    }

    /// <summary>Content is a string, null, or a list of text and image parts.</summary>
    private static void CheckContent(FieldReader message)
    {
        switch (message.Object["content"])
        {
            case null:
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                return;
            case JsonArray:
                foreach (var part in message.ObjectList("content")!)
                {
                    var type = part.Enum("type", PartTypes, required: true);
                    if (type == "text")
                    {
                        part.String("text", required: true);
                    }
                    else if (type == "image_url")
                    {
                        var image = part.Nested("image_url", required: true);
                        image?.String("url", required: true);
                        image?.Enum("detail", ImageDetails);
                    }
                }

                return;
            default:
                message.Errors.Add(message.At("content"), "value is not a string or a list of text and image parts", "type_error");
                return;
        }
    }
}
