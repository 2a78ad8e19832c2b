using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json.Nodes;

namespace Humanloop.Recording;

/// <summary>One request and the answer it got, as a fixture stores it.</summary>
internal sealed class RecordedExchange(RecordedRequest request, RecordedResponse response)
{
    public RecordedRequest Request { get; } = request;

    public RecordedResponse Response { get; } = response;
}

/// <summary>What was sent: method, path with query, a few headers (scrubbed) and the body.</summary>
internal sealed class RecordedRequest(string method, string path)
{
    /// <summary>The method, upper case; <c>*</c> in a hand-written fixture matches any.</summary>
    public string Method { get; set; } = method;

    /// <summary>The path and query, for example <c>/v4/logs?project_id=pr_1</c>; a trailing <c>*</c> matches any continuation.</summary>
    public string Path { get; set; } = path;

    /// <summary>Lower-case header names; only headers worth reading are kept.</summary>
    public SortedDictionary<string, string> Headers { get; } = new(StringComparer.Ordinal);

    /// <summary>The body; null when there was none, which in a hand-written fixture matches any body.</summary>
    public RecordedBody? Body { get; set; }
}

/// <summary>What came back: status, a few headers, and a body or a list of streamed events.</summary>
internal sealed class RecordedResponse(int status)
{
    public int Status { get; set; } = status;

    public string? Reason { get; set; }

    /// <summary>Lower-case header names: content-type and the retry hints.</summary>
    public SortedDictionary<string, string> Headers { get; } = new(StringComparer.Ordinal);

    /// <summary>The body of an ordinary response; null when it was empty.</summary>
    public RecordedBody? Body { get; set; }

    /// <summary>The events of a server-sent event stream; null for an ordinary response.</summary>
    public List<RecordedEvent>? Events { get; set; }

    /// <summary>How the stream ended.</summary>
    public StreamEnd StreamEnd { get; set; }

    /// <summary>What the connection failure said, when <see cref="StreamEnd"/> is <see cref="StreamEnd.Failed"/>.</summary>
    public string? StreamError { get; set; }
}

/// <summary>How a recorded stream ended.</summary>
internal enum StreamEnd
{
    /// <summary>The server closed it.</summary>
    Complete,

    /// <summary>The client stopped reading (it finished with an error, timed out or was stopped); replay stalls there.</summary>
    Abandoned,

    /// <summary>The connection broke; replay breaks it the same way.</summary>
    Failed,
}

/// <summary>One server-sent event.</summary>
internal sealed class RecordedEvent(RecordedBody data)
{
    public RecordedBody Data { get; set; } = data;

    /// <summary>Milliseconds since the previous event (or the response headers); only stored with pacing.</summary>
    public int? DelayMs { get; set; }

    /// <summary>True for the text of an event the stream was cut inside, sent without its closing blank line.</summary>
    public bool Unterminated { get; set; }
}

/// <summary>A body or event payload: parsed JSON where it is JSON, otherwise the text as it was.</summary>
internal sealed class RecordedBody
{
    private RecordedBody(JsonNode? json, string? text)
    {
        Json = json;
        Text = text;
    }

    /// <summary>The parsed JSON; meaningful when <see cref="IsJson"/>.</summary>
    public JsonNode? Json { get; }

    /// <summary>The text of a body that is not JSON.</summary>
    public string? Text { get; }

    public bool IsJson => Text is null;

    public static RecordedBody FromJson(JsonNode json) => new(json, null);

    public static RecordedBody FromText(string text) => new(null, text);

    /// <summary>Null for an empty body.</summary>
    public static RecordedBody? FromBytes(byte[] bytes) => bytes.Length == 0 ? null : FromString(Encoding.UTF8.GetString(bytes), bytes);

    public static RecordedBody FromString(string text) => FromString(text, Encoding.UTF8.GetBytes(text));

    // JSON null has no node of its own; kept as text it replays as the same four characters.
    private static RecordedBody FromString(string text, byte[] bytes) =>
        CanonicalJson.TryParse(bytes, out var node) && node is not null ? FromJson(node) : FromText(text);

    public string ToText() => IsJson ? CanonicalJson.ToCompactText(Json) : Text!;

    public byte[] ToBytes() => IsJson ? CanonicalJson.ToCompactBytes(Json) : Encoding.UTF8.GetBytes(Text!);
}
