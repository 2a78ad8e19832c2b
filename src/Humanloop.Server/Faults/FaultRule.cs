using System.Text.Json.Nodes;

namespace Humanloop.Server.Faults;

internal static class FaultKinds
{
    public const string Status = "status";
    public const string StallBeforeHeaders = "stall_before_headers";
    public const string ResetBeforeHeaders = "reset_before_headers";
    public const string StallMidStream = "stall_mid_stream";
    public const string CutMidStream = "cut_mid_stream";
    public const string MalformedChunk = "malformed_chunk";
    public const string ResetMidBody = "reset_mid_body";
    public const string Delay = "delay";

    public static readonly IReadOnlyList<string> All =
        [Status, StallBeforeHeaders, ResetBeforeHeaders, StallMidStream, CutMidStream, MalformedChunk, ResetMidBody, Delay];

    /// <summary>Kinds that only make sense for a streamed completion, so only streaming requests take them.</summary>
    public static bool IsStreamOnly(string kind) => kind is StallMidStream or CutMidStream or MalformedChunk;

    /// <summary>Kinds that only make sense for a JSON body, so streaming requests never take them.</summary>
    public static bool IsBodyOnly(string kind) => kind is ResetMidBody;
}

/// <summary>One fault rule: which requests it applies to, how many times, and what it does.</summary>
internal sealed class FaultRule
{
    public required string Id { get; init; }
    public required string Kind { get; init; }

    /// <summary>An exact path, or a prefix when it ends with <c>*</c>; null matches any /v4 path.</summary>
    public string? Path { get; init; }

    public string? Method { get; init; }
    public required int Count { get; init; }
    public int Remaining { get; set; }
    public int Hits { get; set; }

    /// <summary>The most /v4 requests in flight when this rule was taken, the taker included.</summary>
    public int MaxInFlight { get; set; }

    public int? StatusCode { get; init; }
    public string? RetryAfter { get; init; }
    public double? RetryAfterMs { get; init; }
    public string? Body { get; init; }
    public string? ContentType { get; init; }

    /// <summary>Null means "until the client disconnects".</summary>
    public int? DelayMs { get; init; }

    /// <summary>A barrier: before its fault, the request waits until this many /v4 requests have arrived since the last clear.</summary>
    public int? AwaitRequests { get; init; }

    public int AfterEvents { get; init; } = 1;
    public bool Abort { get; init; }

    public bool Matches(string path, string method, bool streaming)
    {
        if (Method is not null && !string.Equals(Method, method, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (FaultKinds.IsStreamOnly(Kind) && !streaming || FaultKinds.IsBodyOnly(Kind) && streaming)
        {
            return false;
        }

        if (Path is null)
        {
            return true;
        }

        return Path.EndsWith('*')
            ? path.StartsWith(Path[..^1], StringComparison.Ordinal)
            : string.Equals(path, Path, StringComparison.Ordinal);
    }

    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["fault"] = Kind,
        ["path"] = Path,
        ["method"] = Method,
        ["count"] = Count,
        ["remaining"] = Remaining,
        ["hits"] = Hits,
        ["max_in_flight"] = MaxInFlight,
        ["status"] = StatusCode,
        ["retry_after"] = RetryAfter,
        ["retry_after_ms"] = RetryAfterMs,
        ["body"] = Body,
        ["content_type"] = ContentType,
        ["delay_ms"] = DelayMs,
        ["after_events"] = AfterEvents,
        ["await_requests"] = AwaitRequests,
        ["abort"] = Abort,
    };
}
