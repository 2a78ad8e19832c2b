using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Humanloop.Recording;

/// <summary>
/// Reads and writes fixture files: <c>{"exchanges": [{"request": …, "response": …}, …], "version": 1}</c>
/// in <see cref="CanonicalJson"/> form, one exchange per array entry, so a fixture diffs line by line and
/// recording the same exchanges twice gives the same bytes. Reading is strict about names (a typo in a
/// hand-edited file is an error that says where) and lenient about comments and trailing commas.
/// </summary>
/// <remarks>
/// Files are read once when a recording starts and written once when it stops. They are small and
/// local, so the reads and writes are synchronous: the cmdlets that call them have nothing to await.
/// </remarks>
internal static class FixtureFile
{
    public const int Version = 1;

    private static readonly string[] FileKeys = ["exchanges", "version"];
    private static readonly string[] ExchangeKeys = ["request", "response"];
    private static readonly string[] RequestKeys = ["body", "body_text", "headers", "method", "path"];
    private static readonly string[] ResponseKeys = ["body", "body_text", "events", "headers", "reason", "status", "stream_end", "stream_error"];
    private static readonly string[] EventKeys = ["data", "data_text", "delay_ms", "unterminated"];

    /// <summary>The exchanges of the file at <paramref name="path"/>, or null when there is no such file.</summary>
    /// <exception cref="HumanloopRecordingException">The file cannot be read or is not a fixture.</exception>
    public static List<RecordedExchange>? Load(string path)
    {
        string text;
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new HumanloopRecordingException($"The fixture {path} could not be read: {exception.Message}", path, exception);
        }

        return Parse(text, path);
    }

    /// <exception cref="HumanloopRecordingException">The text is not a fixture; the message names the place.</exception>
    public static List<RecordedExchange> Parse(string text, string source)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text, documentOptions: CanonicalJson.LenientReading);
        }
        catch (JsonException exception)
        {
            throw new HumanloopRecordingException($"The fixture {source} is not valid JSON: {exception.Message}", source, exception);
        }

        try
        {
            var file = AsObject(root, "the file", FileKeys);
            var version = file["version"];
            if (version is null || version.GetValueKind() != JsonValueKind.Number || version.GetValue<int>() != Version)
            {
                throw new FormatException($"\"version\" must be {Version}; this file says {CanonicalJson.Shorten(version)}.");
            }

            var exchanges = file["exchanges"] as JsonArray ?? throw new FormatException("\"exchanges\" must be an array.");
            var result = new List<RecordedExchange>(exchanges.Count);
            for (var i = 0; i < exchanges.Count; i++)
            {
                result.Add(ReadExchange(exchanges[i], $"exchange {i + 1}"));
            }

            return result;
        }
        catch (Exception exception) when (exception is FormatException or InvalidOperationException or ArgumentException)
        {
            throw new HumanloopRecordingException($"The fixture {source} cannot be used: {exception.Message}", source, exception);
        }
    }

    /// <summary>
    /// Writes <paramref name="text"/> to <paramref name="path"/> atomically: into a temporary file in the
    /// same folder, which then replaces the fixture in one rename. A reader never sees half a fixture, and a
    /// process that dies or fails before the rename leaves the previous file as it was.
    /// </summary>
    /// <param name="path">The fixture file.</param>
    /// <param name="text">Its new content.</param>
    /// <param name="beforeRename">Called with the temporary file once it is written; tests fail here to prove the old file survives.</param>
    /// <exception cref="HumanloopRecordingException">The file could not be written; the temporary file is removed.</exception>
    public static void Save(string path, string text, Action<string>? beforeRename = null)
    {
        var fullPath = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(fullPath)!;

        // Hidden, unique, and in the same folder, so the rename stays on one file system and two savers never share it.
        var temporary = Path.Combine(folder, "." + Path.GetFileName(fullPath) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
        try
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(temporary, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            beforeRename?.Invoke(temporary);
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // The write already failed; that is the error worth reporting.
            }

            throw new HumanloopRecordingException($"The fixture {path} could not be written: {exception.Message}", path, exception);
        }
    }

    public static string ToText(IEnumerable<RecordedExchange> exchanges)
    {
        var array = new JsonArray();
        foreach (var exchange in exchanges)
        {
            array.Add(new JsonObject
            {
                ["request"] = WriteRequest(exchange.Request),
                ["response"] = WriteResponse(exchange.Response),
            });
        }

        return CanonicalJson.ToIndentedText(new JsonObject { ["exchanges"] = array, ["version"] = Version });
    }

    private static JsonObject WriteRequest(RecordedRequest request)
    {
        var json = new JsonObject { ["method"] = request.Method, ["path"] = request.Path };
        AddHeaders(json, request.Headers);
        AddBody(json, request.Body, "body", "body_text");
        return json;
    }

    private static JsonObject WriteResponse(RecordedResponse response)
    {
        var json = new JsonObject { ["status"] = response.Status };
        if (response.Reason is not null)
        {
            json["reason"] = response.Reason;
        }

        AddHeaders(json, response.Headers);
        AddBody(json, response.Body, "body", "body_text");
        if (response.Events is { } events)
        {
            var array = new JsonArray();
            foreach (var item in events)
            {
                var entry = new JsonObject();
                AddBody(entry, item.Data, "data", "data_text");
                if (item.DelayMs is { } delay)
                {
                    entry["delay_ms"] = delay;
                }

                if (item.Unterminated)
                {
                    entry["unterminated"] = true;
                }

                array.Add(entry);
            }

            json["events"] = array;
            if (response.StreamEnd != StreamEnd.Complete)
            {
                json["stream_end"] = response.StreamEnd == StreamEnd.Abandoned ? "abandoned" : "failed";
            }

            if (response.StreamError is not null)
            {
                json["stream_error"] = response.StreamError;
            }
        }

        return json;
    }

    private static void AddHeaders(JsonObject json, SortedDictionary<string, string> headers)
    {
        if (headers.Count == 0)
        {
            return;
        }

        var values = new JsonObject();
        foreach (var header in headers)
        {
            values[header.Key] = header.Value;
        }

        json["headers"] = values;
    }

    private static void AddBody(JsonObject json, RecordedBody? body, string jsonName, string textName)
    {
        if (body is null)
        {
            return;
        }

        if (body.IsJson)
        {
            json[jsonName] = body.Json!.DeepClone();
        }
        else
        {
            json[textName] = body.Text;
        }
    }

    private static RecordedExchange ReadExchange(JsonNode? node, string where)
    {
        var json = AsObject(node, where, ExchangeKeys);
        return new RecordedExchange(
            ReadRequest(json["request"], where + ", request"),
            ReadResponse(json["response"], where + ", response"));
    }

    private static RecordedRequest ReadRequest(JsonNode? node, string where)
    {
        var json = AsObject(node, where, RequestKeys);
        var method = RequiredString(json, "method", where).ToUpperInvariant();
        var path = RequiredString(json, "path", where);
        if (!path.StartsWith("/", StringComparison.Ordinal) && path != "*")
        {
            throw new FormatException($"{where}: \"path\" must start with / (for example /v4/completion), not '{path}'.");
        }

        var request = new RecordedRequest(method, path) { Body = ReadBody(json, "body", "body_text", where) };
        ReadHeaders(json, request.Headers, where);
        return request;
    }

    private static RecordedResponse ReadResponse(JsonNode? node, string where)
    {
        var json = AsObject(node, where, ResponseKeys);
        var statusNode = json["status"];
        if (statusNode is null || statusNode.GetValueKind() != JsonValueKind.Number || !statusNode.AsValue().TryGetValue<int>(out var status) || status is < 100 or > 599)
        {
            throw new FormatException($"{where}: \"status\" must be an HTTP status from 100 to 599.");
        }

        var response = new RecordedResponse(status)
        {
            Reason = OptionalString(json, "reason", where),
            Body = ReadBody(json, "body", "body_text", where),
        };
        ReadHeaders(json, response.Headers, where);
        if (json["events"] is { } events)
        {
            if (response.Body is not null)
            {
                throw new FormatException($"{where}: has both a body and events; a response is one or the other.");
            }

            var array = events as JsonArray ?? throw new FormatException($"{where}: \"events\" must be an array.");
            response.Events = array.Select((item, index) => ReadEvent(item, $"{where}, event {index + 1}")).ToList();
            response.StreamEnd = OptionalString(json, "stream_end", where) switch
            {
                null => StreamEnd.Complete,
                "abandoned" => StreamEnd.Abandoned,
                "failed" => StreamEnd.Failed,
                var other => throw new FormatException($"{where}: \"stream_end\" is '{other}'; it must be abandoned or failed (or absent for a complete stream)."),
            };
            response.StreamError = OptionalString(json, "stream_error", where);
        }
        else if (json.ContainsKey("stream_end") || json.ContainsKey("stream_error"))
        {
            throw new FormatException($"{where}: \"stream_end\" and \"stream_error\" belong to a response with \"events\".");
        }

        return response;
    }

    private static RecordedEvent ReadEvent(JsonNode? node, string where)
    {
        var json = AsObject(node, where, EventKeys);
        var data = ReadBody(json, "data", "data_text", where) ?? throw new FormatException($"{where}: needs \"data\" (JSON) or \"data_text\" (text).");
        int? delay = null;
        if (json["delay_ms"] is { } delayNode)
        {
            if (delayNode.GetValueKind() != JsonValueKind.Number || !delayNode.AsValue().TryGetValue<int>(out var milliseconds) || milliseconds < 0)
            {
                throw new FormatException($"{where}: \"delay_ms\" must be a whole number of milliseconds, 0 or more.");
            }

            delay = milliseconds;
        }

        var unterminated = false;
        if (json["unterminated"] is { } flag)
        {
            var kind = flag.GetValueKind();
            if (kind is not (JsonValueKind.True or JsonValueKind.False))
            {
                throw new FormatException($"{where}: \"unterminated\" must be true or false.");
            }

            unterminated = kind == JsonValueKind.True;
        }

        return new RecordedEvent(data) { DelayMs = delay, Unterminated = unterminated };
    }

    private static RecordedBody? ReadBody(JsonObject json, string jsonName, string textName, string where)
    {
        var hasJson = json.ContainsKey(jsonName);
        var hasText = json.ContainsKey(textName);
        if (hasJson && hasText)
        {
            throw new FormatException($"{where}: has both \"{jsonName}\" and \"{textName}\"; use one.");
        }

        if (hasText)
        {
            return RecordedBody.FromText(OptionalString(json, textName, where) ?? throw new FormatException($"{where}: \"{textName}\" must be a string."));
        }

        if (!hasJson)
        {
            return null;
        }

        // A JSON null body has no node; it is kept as its text, which replays identically.
        return json[jsonName] is { } value ? RecordedBody.FromJson(value.DeepClone()) : RecordedBody.FromText("null");
    }

    private static void ReadHeaders(JsonObject json, SortedDictionary<string, string> headers, string where)
    {
        if (json["headers"] is not { } node)
        {
            return;
        }

        var values = node as JsonObject ?? throw new FormatException($"{where}: \"headers\" must be an object of names and string values.");
        foreach (var header in values)
        {
            headers[header.Key.ToLowerInvariant()] = OptionalString(values, header.Key, where) ?? throw new FormatException($"{where}: header '{header.Key}' must be a string.");
        }
    }

    private static JsonObject AsObject(JsonNode? node, string where, string[] allowed)
    {
        var json = node as JsonObject ?? throw new FormatException($"{where} must be a JSON object.");
        foreach (var property in json)
        {
            if (Array.IndexOf(allowed, property.Key) < 0)
            {
                throw new FormatException($"{where} has an unknown field \"{property.Key}\"; expected {string.Join(", ", allowed)}.");
            }
        }

        return json;
    }

    private static string RequiredString(JsonObject json, string name, string where) =>
        OptionalString(json, name, where) ?? throw new FormatException($"{where}: \"{name}\" is missing.");

    private static string? OptionalString(JsonObject json, string name, string where)
    {
        var node = json[name];
        if (node is null)
        {
            return null;
        }

        return node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : throw new FormatException($"{where}: \"{name}\" must be a string.");
    }
}
