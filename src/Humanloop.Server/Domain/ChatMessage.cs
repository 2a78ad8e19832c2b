using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Humanloop.Server.Http;

namespace Humanloop.Server.Domain;

/// <summary>
/// A tool call (v4 <c>ToolCall</c>). In a stream each delta has this shape too, its
/// <c>arguments</c> being a fragment; the fragments of one call concatenate to its JSON arguments.
/// </summary>
internal sealed record ToolCall(string Id, string Type, FunctionCall Function)
{
    public const string FunctionType = "function";

    public static ToolCall Of(string id, string name, string arguments) => new(id, FunctionType, new FunctionCall(name, arguments));
}

internal sealed record FunctionCall(string Name, string Arguments);

/// <summary>
/// A v4 <c>ChatMessageWithToolCall</c>. Content stays as sent (a string, a list of text and image
/// parts, or null) so it can be forwarded unchanged; optional fields are left out of the JSON when
/// unset, as a client would send them.
/// </summary>
internal sealed record ChatMessage
{
    public const string User = "user";
    public const string Assistant = "assistant";
    public const string System = "system";
    public const string Tool = "tool";

    public static readonly IReadOnlyList<string> Roles = [User, Assistant, System, Tool];

    public required string Role { get; init; }

    public JsonNode? Content { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ToolCallId { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ToolCall>? ToolCalls { get; init; }

    /// <summary>The readable text: a string content as it is, or the text parts joined by a space (images have none).</summary>
    [JsonIgnore]
    public string Text => string.Join(' ', Texts(Content));

    public static ChatMessage FromUser(string content) => new() { Role = User, Content = content };

    /// <summary>
    /// The model's answer as a message: its text, and its tool calls when there are any. A tool-call
    /// answer without text has null content, as the providers return it.
    /// </summary>
    public static ChatMessage Answer(string text, IReadOnlyList<ToolCall> toolCalls) => new()
    {
        Role = Assistant,
        Content = text.Length == 0 && toolCalls.Count > 0 ? null : text,
        ToolCalls = toolCalls.Count > 0 ? toolCalls : null,
    };

    public JsonObject ToJson() => JsonSerializer.SerializeToNode(this, WireJson.Options)!.AsObject();

    public static JsonArray ToJson(IEnumerable<ChatMessage> messages) => new(messages.Select(m => (JsonNode)m.ToJson()).ToArray());

    /// <summary>The texts a template fills: a string content, or the text of each text part.</summary>
    public IEnumerable<string> TemplateTexts() => Texts(Content);

    /// <summary>This message with every <c>{{name}}</c> in its text filled from <paramref name="inputs"/>.</summary>
    public ChatMessage Render(JsonObject inputs) => this with { Content = RenderContent(Content, inputs) };

    private static IEnumerable<string> Texts(JsonNode? content) => content switch
    {
        JsonValue value when value.GetValueKind() == JsonValueKind.String => [value.GetValue<string>()],
        JsonArray parts => parts.OfType<JsonObject>().Where(IsTextPart).Select(p => p["text"]!.GetValue<string>()),
        _ => [],
    };

    private static JsonNode? RenderContent(JsonNode? content, JsonObject inputs)
    {
        switch (content)
        {
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                return PromptTemplate.Render(value.GetValue<string>(), inputs);
            case JsonArray parts:
                var rendered = (JsonArray)parts.DeepClone();
                foreach (var part in rendered.OfType<JsonObject>().Where(IsTextPart))
                {
                    part["text"] = PromptTemplate.Render(part["text"]!.GetValue<string>(), inputs);
                }

                return rendered;
            default:
                return content?.DeepClone();
        }
    }

    private static bool IsTextPart(JsonObject part) =>
        part["type"] is JsonValue type && type.GetValueKind() == JsonValueKind.String && type.GetValue<string>() == "text"
        && part["text"] is JsonValue text && text.GetValueKind() == JsonValueKind.String;
}
