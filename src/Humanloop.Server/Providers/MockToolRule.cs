using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Humanloop.Server.Domain;
using Humanloop.Server.Http;

namespace Humanloop.Server.Providers;

/// <summary>
/// How the mock answers a chat with tools, so a client's tool loop can be tested offline. The rule
/// (a)–(d) is documented in docs/server.md; change it only together with that page.
/// </summary>
internal static partial class MockToolRule
{
    private const string RuleVersion = "mock-tools-v1";

    // Function names as OpenAI allows them, so "call:get_weather." at the end of a sentence names get_weather.
    [GeneratedRegex(@"(?<!\S)call:([A-Za-z0-9_\-]+)", RegexOptions.CultureInvariant)]
    private static partial Regex CallToken();

    [GeneratedRegex(@"(?<!\S)([A-Za-z_][A-Za-z0-9_.\-]*)=(?:""([^""]*)""|(\S*))", RegexOptions.CultureInvariant)]
    private static partial Regex KeyValue();

    /// <summary>The conversation as the mock reads it: one line per message, <c>role: text</c>.</summary>
    public static string Transcript(IReadOnlyList<ChatMessage> messages) =>
        string.Join('\n', messages.Select(m => $"{m.Role}: {m.Text}"));

    /// <summary>Rules (a) to (c): the tool calls the mock makes, in order; none means it answers in text.</summary>
    public static IReadOnlyList<ToolCall> ToolCalls(Conversation conversation)
    {
        var choice = conversation.ToolChoice;
        if (choice?.Mode == ToolChoice.None)
        {
            return [];
        }

        var messages = conversation.Messages;
        var lastUser = messages.LastOrDefault(m => m.Role == ChatMessage.User)?.Text ?? "";
        var lastIsUser = messages.Count > 0 && messages[^1].Role == ChatMessage.User;
        var transcript = Transcript(messages);

        // (b) explicit call:NAME tokens, even for tools not offered, so clients can test refusing them.
        var named = lastIsUser ? CallToken().Matches(lastUser).Select(m => m.Groups[1].Value).ToList() : [];
        if (named.Count > 0)
        {
            return named.Select((name, position) =>
                Call(transcript, position, name, Arguments(lastUser, Find(conversation.Tools, name), onlyDeclared: false))).ToList();
        }

        // (c) a tool the model is made to call, or one the user's last message names.
        if (conversation.Tools.Count == 0)
        {
            return [];
        }

        var mentioned = FirstMentioned(conversation.Tools, lastUser);
        var forced = choice?.Forces == true;
        if (!forced && (mentioned is null || !lastIsUser))
        {
            return [];
        }

        if (choice?.FunctionName is { } forcedName)
        {
            // A forced function that is not offered has no schema to follow: it gets every pair, as text.
            var offered = Find(conversation.Tools, forcedName);
            return [Call(transcript, 0, forcedName, Arguments(lastUser, offered, onlyDeclared: offered is not null))];
        }

        var tool = mentioned ?? conversation.Tools[0];
        return [Call(transcript, 0, tool.Name, Arguments(lastUser, tool, onlyDeclared: true))];
    }

    /// <summary>
    /// Rule (d): when the conversation ends with tool results, a sentence quoting each of them
    /// (<c>The tool NAME returned: RESULT</c>, joined by <c>; </c>); otherwise null.
    /// </summary>
    public static string? ToolResultQuote(IReadOnlyList<ChatMessage> messages)
    {
        var start = messages.Count;
        while (start > 0 && messages[start - 1].Role == ChatMessage.Tool)
        {
            start--;
        }

        if (start == messages.Count)
        {
            return null;
        }

        var asked = messages.Take(start).LastOrDefault(m => m.Role == ChatMessage.Assistant)?.ToolCalls ?? [];
        return string.Join("; ", messages.Skip(start).Select(result =>
        {
            var name = result.Name
                ?? asked.FirstOrDefault(c => c.Id == result.ToolCallId)?.Function.Name
                ?? result.ToolCallId
                ?? "tool";
            return $"The tool {name} returned: {result.Text}";
        }));
    }

    private static ToolDefinition? Find(IReadOnlyList<ToolDefinition> tools, string name) =>
        tools.FirstOrDefault(t => t.Name == name);

    /// <summary>The offered tool whose name appears first in the text, case-insensitively.</summary>
    private static ToolDefinition? FirstMentioned(IReadOnlyList<ToolDefinition> tools, string text) =>
        tools.Select(tool => (tool, at: text.IndexOf(tool.Name, StringComparison.OrdinalIgnoreCase)))
            .Where(t => t.at >= 0)
            .OrderBy(t => t.at)
            .Select(t => t.tool)
            .FirstOrDefault();

    private static ToolCall Call(string transcript, int position, string name, string arguments)
    {
        var material = string.Join('\n', RuleVersion, transcript, position.ToString(CultureInfo.InvariantCulture), name, arguments);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(material)));
        return ToolCall.Of("call_" + hash[..24], name, arguments);
    }

    /// <summary>
    /// The JSON arguments: the text's <c>key=value</c> pairs (all of them, or with
    /// <paramref name="onlyDeclared"/> those the tool's schema declares, plus a default for each
    /// missing required property). Values are strings unless the schema types them and they parse.
    /// </summary>
    private static string Arguments(string text, ToolDefinition? tool, bool onlyDeclared)
    {
        var properties = tool?.Parameters?["properties"] as JsonObject;
        var arguments = new JsonObject();
        foreach (Match pair in KeyValue().Matches(text))
        {
            var key = pair.Groups[1].Value;
            var value = pair.Groups[2].Success ? pair.Groups[2].Value : pair.Groups[3].Value;
            var property = properties?[key] as JsonObject;
            if (!onlyDeclared || property is not null)
            {
                arguments[key] = Typed(value, property);
            }
        }

        if (onlyDeclared)
        {
            foreach (var required in (tool?.Parameters?["required"] as JsonArray ?? []).Select(r => r?.GetValueKind() == JsonValueKind.String ? r.GetValue<string>() : null))
            {
                if (required is not null && !arguments.ContainsKey(required))
                {
                    arguments[required] = Default(properties?[required] as JsonObject);
                }
            }
        }

        return arguments.ToJsonString(WireJson.Options);
    }

    private static JsonNode Typed(string value, JsonObject? property)
    {
        foreach (var type in Types(property))
        {
            switch (type)
            {
                case "integer" when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole):
                    return JsonValue.Create(whole);
                case "number" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && double.IsFinite(real):
                    return JsonValue.Create(real);
                case "boolean" when bool.TryParse(value, out var flag):
                    return JsonValue.Create(flag);
            }
        }

        return JsonValue.Create(value)!;
    }

    private static JsonNode Mock() => JsonValue.Create("mock")!;

    private static JsonNode Default(JsonObject? property)
    {
        if (property?["enum"] is JsonArray { Count: > 0 } values)
        {
            return values[0]?.DeepClone() ?? Mock();
        }

        return Types(property).FirstOrDefault() switch
        {
            "integer" or "number" => JsonValue.Create(1),
            "boolean" => JsonValue.Create(true),
            "array" => new JsonArray(),
            "object" => new JsonObject(),
            _ => Mock(),
        };
    }

    /// <summary>A schema's <c>type</c>: one name or a list of them (<c>["integer", "null"]</c>).</summary>
    private static IEnumerable<string> Types(JsonObject? property) => property?["type"] switch
    {
        JsonValue one when one.GetValueKind() == JsonValueKind.String => [one.GetValue<string>()],
        JsonArray many => many.Where(t => t?.GetValueKind() == JsonValueKind.String).Select(t => t!.GetValue<string>()).Where(t => t != "null"),
        _ => [],
    };
}
