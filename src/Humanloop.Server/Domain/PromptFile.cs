using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Humanloop.Server.Domain;

/// <summary>
/// The <c>.prompt</c> file format of <c>POST /model-configs/serialize</c>, <c>/deserialize</c> and
/// <c>/{id}/export</c> (docs/prompt-format.md): a <c>---</c> header of <c>key: value</c> lines with the
/// config's parameters, then the template as the body: a completion config's prompt template as it is, a chat
/// config's messages as <c>&lt;role&gt;</c> blocks. Writing then reading a config gives back every field.
/// </summary>
internal static partial class PromptFile
{
    public const string Delimiter = "---";

    /// <summary>The roles a message block can be named after; <c>message</c> holds a whole message as JSON.</summary>
    private static readonly string[] TextRoles = [ChatMessage.System, ChatMessage.User, ChatMessage.Assistant, ChatMessage.Tool];

    private const string MessageBlock = "message";

    // Words a YAML reader would not take as a plain string (booleans and nulls of YAML 1.1 and 1.2).
    private static readonly HashSet<string> YamlWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "true", "false", "null", "yes", "no", "on", "off", "y", "n", "~",
    };

    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // "\n" on every platform: the file's line breaks are part of the format.
    private static readonly JsonSerializerOptions Indented = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = true, NewLine = "\n" };

    /// <summary>A JSON value up to this length stays on its key's line; a longer object or list is indented below it.</summary>
    private const int InlineJsonLength = 80;

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_ .,/@+:()!?-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainText();

    [GeneratedRegex(@"^([A-Za-z_][A-Za-z0-9_]*)\s*:(.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex HeaderEntry();

    [GeneratedRegex(@"^<(/?)(system|user|assistant|tool|message)>$", RegexOptions.CultureInvariant)]
    private static partial Regex BlockTag();

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex JsonNumber();

    /// <summary>The <c>.prompt</c> text of a config.</summary>
    public static string Write(ModelConfigContent config)
    {
        var header = new StringBuilder();
        header.Append(Delimiter).Append('\n');
        void Entry(string key, JsonNode? value) => AppendEntry(header, key, value);

        Entry("model", config.Model);
        Entry("provider", config.Provider);
        Entry("endpoint", config.Endpoint);
        if (config.Name is not null)
        {
            Entry("name", config.Name);
        }

        if (config.Description is not null)
        {
            Entry("description", config.Description);
        }

        Entry("temperature", config.Temperature);
        Entry("max_tokens", config.MaxTokens);
        Entry("top_p", config.TopP);
        if (config.Stop is not null)
        {
            Entry("stop", config.Stop.DeepClone());
        }

        Entry("presence_penalty", config.PresencePenalty);
        Entry("frequency_penalty", config.FrequencyPenalty);
        if (config.Seed is { } seed)
        {
            Entry("seed", seed);
        }

        if (config.ResponseFormat is not null)
        {
            Entry("response_format", config.ResponseFormat.DeepClone());
        }

        if (config.Other.Count > 0)
        {
            Entry("other", config.Other.DeepClone());
        }

        if (config.Tools is not null)
        {
            Entry("tools", config.Tools.DeepClone());
        }

        // The body holds the template of the config's endpoint; the other template, and an empty one (which an
        // empty body could not tell from none), go in the header.
        string? body;
        if (BodyIsChat(config.Endpoint))
        {
            if (config.PromptTemplate is not null)
            {
                Entry("prompt_template", config.PromptTemplate);
            }

            if (config.ChatTemplate is { Count: 0 })
            {
                Entry("chat_template", new JsonArray());
            }

            body = config.ChatTemplate is { Count: > 0 } messages ? WriteMessages(messages) : null;
        }
        else
        {
            if (config.ChatTemplate is not null)
            {
                Entry("chat_template", config.ChatTemplate.DeepClone());
            }

            if (config.PromptTemplate is "")
            {
                Entry("prompt_template", "");
            }

            body = string.IsNullOrEmpty(config.PromptTemplate) ? null : config.PromptTemplate;
        }

        header.Append(Delimiter).Append('\n');
        if (body is not null)
        {
            // One blank line after the header and one newline at the end, both taken off again by Read.
            header.Append('\n').Append(body).Append('\n');
        }

        return header.ToString();
    }

    /// <summary>
    /// Reads a <c>.prompt</c> text into the fields of a model config request (as a client would send them:
    /// not yet checked or defaulted). Unknown header keys are kept, and ignored like unknown request fields.
    /// </summary>
    /// <exception cref="PromptFileException">The text does not follow the format; the message names the line.</exception>
    public static JsonObject Read(string text)
    {
        text = text.TrimStart('\uFEFF');
        if (text.TrimStart().StartsWith(Delimiter + "\r\n", StringComparison.Ordinal))
        {
            // A file saved with Windows line breaks (the writer's own files use "\n", so their templates keep any "\r\n").
            text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        }

        var lines = text.Split('\n');
        var start = 0;
        while (start < lines.Length && lines[start].Trim().Length == 0)
        {
            start++;
        }

        if (start == lines.Length || lines[start].Trim() != Delimiter)
        {
            throw new PromptFileException(start + 1, "a .prompt file starts with a '---' line, then the header's 'key: value' lines, then another '---' line");
        }

        var end = start + 1;
        while (end < lines.Length && lines[end].Trim() != Delimiter)
        {
            end++;
        }

        if (end == lines.Length)
        {
            throw new PromptFileException(start + 1, "the header that starts here has no closing '---' line");
        }

        var config = ReadHeader(lines, start + 1, end);
        var endpoint = config["endpoint"] is JsonValue e && e.GetValueKind() == JsonValueKind.String ? e.GetValue<string>() : null;
        var body = Body(lines, end + 1);
        if (body is null)
        {
            return config;
        }

        var firstBodyLine = end + 2 + (lines.Length > end + 1 && lines[end + 1].Length == 0 ? 1 : 0);
        // Without an endpoint (a file written by hand), the body's form says which kind of config it is.
        endpoint ??= StartsWithBlock(body) ? ModelEndpoints.Chat : ModelEndpoints.Complete;
        config["endpoint"] ??= endpoint;
        var field = BodyIsChat(endpoint) ? "chat_template" : "prompt_template";
        if (config.ContainsKey(field))
        {
            throw new PromptFileException(firstBodyLine, $"the header has '{field}' and the body holds it too: give it once");
        }

        config[field] = BodyIsChat(endpoint) ? ReadMessages(body, firstBodyLine) : body;
        return config;
    }

    private static bool BodyIsChat(string? endpoint) => endpoint == ModelEndpoints.Chat;

    private static void AppendEntry(StringBuilder header, string key, JsonNode? value)
    {
        header.Append(key).Append(':');
        if (value is JsonValue text && text.GetValueKind() == JsonValueKind.String)
        {
            header.Append(' ').Append(ScalarText(text.GetValue<string>())).Append('\n');
            return;
        }

        var compact = value?.ToJsonString(Compact) ?? "null";
        if (value is JsonValue || compact.Length <= InlineJsonLength)
        {
            header.Append(' ').Append(compact).Append('\n');
            return;
        }

        // A long object or list: indented JSON, its lines below the first indented under the key (valid YAML flow style).
        var indented = value!.ToJsonString(Indented).Split('\n');
        header.Append(' ').Append(indented[0]).Append('\n');
        foreach (var line in indented.Skip(1))
        {
            header.Append("  ").Append(line).Append('\n');
        }
    }

    /// <summary>A string as it is when YAML and this reader would both take it back unchanged; otherwise as a JSON string.</summary>
    private static string ScalarText(string value)
    {
        var plain = PlainText().IsMatch(value)
            && !value.EndsWith(' ')
            && !value.EndsWith(':')
            && !value.Contains(": ", StringComparison.Ordinal)
            && !value.Contains(" #", StringComparison.Ordinal)
            && !YamlWords.Contains(value);
        return plain ? value : JsonSerializer.Serialize(value, Compact);
    }

    private static JsonObject ReadHeader(string[] lines, int from, int to)
    {
        var config = new JsonObject();
        var i = from;
        while (i < to)
        {
            var line = lines[i].TrimEnd('\r');
            var lineNumber = i + 1;
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#'))
            {
                i++;
                continue;
            }

            if (char.IsWhiteSpace(line[0]))
            {
                throw new PromptFileException(lineNumber, "an indented line must continue the value of the key above it (a JSON value or a '- item' list)");
            }

            var match = HeaderEntry().Match(line);
            if (!match.Success)
            {
                throw new PromptFileException(lineNumber, "a header line is 'key: value'");
            }

            var key = match.Groups[1].Value;
            if (config.ContainsKey(key))
            {
                throw new PromptFileException(lineNumber, $"'{key}' is given twice");
            }

            var rest = match.Groups[2].Value.Trim();
            i++;
            if (rest.Length == 0)
            {
                config[key] = ReadList(lines, ref i, to);
            }
            else if (rest[0] is '{' or '[')
            {
                config[key] = ReadJsonSpanningLines(lines, lineNumber - 1, ref i, to, rest, key);
            }
            else
            {
                config[key] = ReadScalar(rest, lineNumber, key);
            }
        }

        return config;
    }

    /// <summary>A <c>- item</c> list below its key (items read like single-line values); no items is null, as in YAML.</summary>
    private static JsonNode? ReadList(string[] lines, ref int i, int to)
    {
        JsonArray? items = null;
        while (i < to)
        {
            var trimmed = lines[i].Trim();
            if (trimmed.Length == 0)
            {
                i++;
                continue;
            }

            // Items may be indented or not, as in YAML; no key starts with '-'.
            if (!(trimmed == "-" || trimmed.StartsWith("- ", StringComparison.Ordinal)))
            {
                break;
            }

            items ??= [];
            var item = trimmed[1..].Trim();
            items.Add(item.Length == 0 ? null : item[0] is '{' or '[' ? ParseJson(item, i + 1, "list item") : ReadScalar(item, i + 1, "list item"));
            i++;
        }

        return items;
    }

    /// <summary>A JSON object or list that starts after the key and may go on over the following (indented) lines.</summary>
    private static JsonNode ReadJsonSpanningLines(string[] lines, int keyLine, ref int i, int to, string first, string key)
    {
        var text = new StringBuilder(first);
        while (true)
        {
            if (TryParseJson(text.ToString(), out var node, out var error))
            {
                return node!;
            }

            if (i == to || (lines[i].Length > 0 && !char.IsWhiteSpace(lines[i][0]) && lines[i].TrimEnd('\r').Length > 0 && !IsClosingBracketLine(lines[i])))
            {
                throw new PromptFileException(keyLine + 1, $"the value of '{key}' is not valid JSON: {error}");
            }

            text.Append('\n').Append(lines[i].TrimEnd('\r'));
            i++;
        }
    }

    // A hand-written value may put its closing bracket at the start of a line, as JSON is usually written.
    private static bool IsClosingBracketLine(string line) => line.TrimEnd('\r', ' ', '\t', ',') is "}" or "]";

    private static JsonNode? ReadScalar(string text, int lineNumber, string key)
    {
        switch (text[0])
        {
            case '"':
                return ParseJson(text, lineNumber, key);
            case '\'':
                if (text.Length < 2 || !text.EndsWith('\''))
                {
                    throw new PromptFileException(lineNumber, $"the value of '{key}' opens a quote (') it does not close");
                }

                return JsonValue.Create(text[1..^1].Replace("''", "'", StringComparison.Ordinal));
        }

        if (text is "null" or "~")
        {
            return null;
        }

        if (text is "true" or "false" || JsonNumber().IsMatch(text))
        {
            return ParseJson(text, lineNumber, key);
        }

        // A plain string; like YAML, " #" starts a comment.
        var comment = text.IndexOf(" #", StringComparison.Ordinal);
        return JsonValue.Create(comment < 0 ? text : text[..comment].TrimEnd());
    }

    private static JsonNode? ParseJson(string text, int lineNumber, string key) =>
        TryParseJson(text, out var node, out var error) ? node : throw new PromptFileException(lineNumber, $"the value of '{key}' is not valid JSON: {error}");

    private static bool TryParseJson(string text, out JsonNode? node, out string? error)
    {
        try
        {
            node = JsonNode.Parse(text);
            error = null;
            return true;
        }
        catch (JsonException ex)
        {
            node = null;
            error = ex.Message;
            return false;
        }
    }

    /// <summary>The body after the header's closing line, less the blank line and the final newline the writer adds; null when empty.</summary>
    private static string? Body(string[] lines, int from)
    {
        if (from >= lines.Length)
        {
            return null;
        }

        var body = string.Join('\n', lines, from, lines.Length - from);
        if (body.StartsWith('\n'))
        {
            body = body[1..];
        }

        if (body.EndsWith('\n'))
        {
            body = body[..^1];
        }

        return body.Length == 0 ? null : body;
    }

    private static bool StartsWithBlock(string body) =>
        body.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) is { } first
        && BlockTag().Match(first) is { Success: true } tag && tag.Groups[1].Value.Length == 0;

    private static string WriteMessages(JsonArray messages)
    {
        var blocks = messages.Select(message =>
        {
            if (AsTextBlock(message) is { } block)
            {
                return $"<{block.Role}>\n{block.Content}\n</{block.Role}>";
            }

            var json = message?.ToJsonString(Indented) ?? "null";
            return $"<{MessageBlock}>\n{json}\n</{MessageBlock}>";
        });
        return string.Join("\n\n", blocks);
    }

    /// <summary>
    /// A message that is only a role and text content, and whose text has no line that reads as a block tag, is a text
    /// block; anything else (tool calls, names, parts, null content) is written as JSON in a <c>&lt;message&gt;</c> block.
    /// </summary>
    private static (string Role, string Content)? AsTextBlock(JsonNode? message)
    {
        if (message is not JsonObject obj || obj.Count != 2
            || obj["role"] is not JsonValue role || role.GetValueKind() != JsonValueKind.String || !TextRoles.Contains(role.GetValue<string>())
            || obj["content"] is not JsonValue content || content.GetValueKind() != JsonValueKind.String)
        {
            return null;
        }

        var text = content.GetValue<string>();
        return text.Split('\n').Any(line => BlockTag().IsMatch(line.Trim())) ? null : (role.GetValue<string>(), text);
    }

    private static JsonArray ReadMessages(string body, int firstLineNumber)
    {
        var lines = body.Split('\n');
        var messages = new JsonArray();
        var i = 0;
        while (i < lines.Length)
        {
            var trimmed = lines[i].Trim();
            if (trimmed.Length == 0)
            {
                i++;
                continue;
            }

            var open = BlockTag().Match(trimmed);
            if (!open.Success || open.Groups[1].Value.Length > 0)
            {
                throw new PromptFileException(firstLineNumber + i, "a chat body is message blocks, each opened by a line such as <user> and closed by </user>");
            }

            var role = open.Groups[2].Value;
            var openedAt = i;
            var content = new List<string>();
            i++;
            while (i < lines.Length && lines[i].Trim() != $"</{role}>")
            {
                content.Add(lines[i]);
                i++;
            }

            if (i == lines.Length)
            {
                throw new PromptFileException(firstLineNumber + openedAt, $"the <{role}> block opened here has no </{role}> line");
            }

            i++;
            var text = string.Join('\n', content);
            if (role != MessageBlock)
            {
                messages.Add(new JsonObject { ["role"] = role, ["content"] = text });
                continue;
            }

            if (!TryParseJson(text, out var message, out var error) || message is not JsonObject)
            {
                throw new PromptFileException(firstLineNumber + openedAt, $"a <message> block holds one message as a JSON object{(error is null ? "" : ": " + error)}");
            }

            messages.Add(message);
        }

        return messages;
    }
}

/// <summary>A <c>.prompt</c> text that does not follow the format; <see cref="Line"/> is 1-based.</summary>
internal sealed class PromptFileException(int line, string reason) : Exception(string.Create(CultureInfo.InvariantCulture, $"line {line}: {reason}"))
{
    public int Line { get; } = line;
}
