using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;

namespace Humanloop.Recording;

/// <summary>A request reduced to what matching compares: method, path, and the scrubbed body without ignored fields.</summary>
internal sealed class MatchKey(string method, string path, RecordedBody? body)
{
    public string Method { get; } = method;

    public string Path { get; } = path;

    public RecordedBody? Body { get; } = body;

    public string Describe() => Method + " " + Path;
}

/// <summary>
/// Decides whether a sent request is a recorded one: same method, same path and query, and the same
/// JSON body once both sides are scrubbed alike and ignored fields are left out (key order and number
/// spelling do not matter). Call order plays no part. For a request that matches nothing, it explains
/// the difference field by field.
/// </summary>
internal sealed class RequestMatcher
{
    private const string AnyMethod = "*";
    private const string AnyContinuation = "*";

    private readonly List<JsonFieldRule> _ignored;
    private readonly RecordingScrubber _scrubber;

    /// <exception cref="ArgumentException">An ignore rule is not usable; the message names it.</exception>
    public RequestMatcher(IEnumerable<string> ignoreFields, RecordingScrubber scrubber)
    {
        _ignored = JsonFieldRule.ParseAll(RecordingOptions.DefaultIgnoreFields, ignoreFields, "IgnoreFields");
        _scrubber = scrubber;
    }

    public MatchKey KeyOf(RecordedRequest request)
    {
        // Every secret field's value is remembered before anything is scrubbed, as when the fixture
        // was saved; otherwise a secret echoed in a field walked earlier would stay in clear and the
        // request would not match its own recording.
        _scrubber.RememberFieldValues(request);

        // ScrubBody returns a copy, so leaving fields out of it does not touch the request.
        var body = _scrubber.ScrubBody(request.Body);
        if (body is { IsJson: true })
        {
            RemoveIgnored(body.Json!, []);
        }

        return new MatchKey(request.Method.ToUpperInvariant(), _scrubber.ScrubText(request.Path), body);
    }

    /// <summary>How <paramref name="sent"/> differs from <paramref name="recorded"/>; empty when it matches.</summary>
    public static List<string> Differences(MatchKey recorded, MatchKey sent)
    {
        var differences = new List<string>();
        if (recorded.Method != AnyMethod && recorded.Method != sent.Method)
        {
            differences.Add($"method: recorded {recorded.Method}, sent {sent.Method}");
        }

        if (!PathMatches(recorded.Path, sent.Path))
        {
            differences.Add($"path: recorded {recorded.Path}, sent {sent.Path}");
        }

        // A recording without a body (hand-written, or a request that had none) accepts any body.
        if (recorded.Body is null)
        {
            return differences;
        }

        if (sent.Body is null)
        {
            differences.Add($"body: recorded {Show(recorded.Body)}, sent nothing");
        }
        else if (recorded.Body.IsJson && sent.Body.IsJson)
        {
            CompareJson(recorded.Body.Json, sent.Body.Json, string.Empty, differences);
        }
        else if (recorded.Body.IsJson != sent.Body.IsJson || recorded.Body.Text != sent.Body.Text)
        {
            differences.Add($"body: recorded {Show(recorded.Body)}, sent {Show(sent.Body)}");
        }

        return differences;
    }

    /// <summary>True when the method or path differs, which makes a recording a poor candidate for "closest".</summary>
    public static bool DiffersInRoute(MatchKey recorded, MatchKey sent) =>
        (recorded.Method != AnyMethod && recorded.Method != sent.Method) || !PathMatches(recorded.Path, sent.Path);

    private static bool PathMatches(string recorded, string sent) =>
        recorded.EndsWith(AnyContinuation, StringComparison.Ordinal)
            ? sent.StartsWith(recorded.Substring(0, recorded.Length - AnyContinuation.Length), StringComparison.Ordinal)
            : string.Equals(recorded, sent, StringComparison.Ordinal);

    private static void CompareJson(JsonNode? recorded, JsonNode? sent, string path, List<string> differences)
    {
        switch (recorded, sent)
        {
            case (null, null):
                return;
            case (JsonObject recordedObject, JsonObject sentObject):
                var names = recordedObject.Select(property => property.Key)
                    .Union(sentObject.Select(property => property.Key), StringComparer.Ordinal)
                    .OrderBy(name => name, StringComparer.Ordinal);
                foreach (var name in names)
                {
                    var child = path.Length == 0 ? name : path + "." + name;
                    var inRecorded = recordedObject.TryGetPropertyValue(name, out var recordedValue);
                    var inSent = sentObject.TryGetPropertyValue(name, out var sentValue);
                    if (inRecorded && inSent)
                    {
                        CompareJson(recordedValue, sentValue, child, differences);
                    }
                    else
                    {
                        differences.Add($"{child}: recorded {(inRecorded ? CanonicalJson.Shorten(recordedValue) : "nothing")}, sent {(inSent ? CanonicalJson.Shorten(sentValue) : "nothing")}");
                    }
                }

                return;
            case (JsonArray recordedArray, JsonArray sentArray) when recordedArray.Count == sentArray.Count:
                for (var i = 0; i < recordedArray.Count; i++)
                {
                    CompareJson(recordedArray[i], sentArray[i], $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]", differences);
                }

                return;
            case (JsonValue recordedValue, JsonValue sentValue) when CanonicalJson.ValuesEqual(recordedValue, sentValue):
                return;
            default:
                differences.Add($"{(path.Length == 0 ? "body" : path)}: recorded {CanonicalJson.Shorten(recorded)}, sent {CanonicalJson.Shorten(sent)}");
                return;
        }
    }

    private static string Show(RecordedBody body)
    {
        var text = body.ToText();
        return body.IsJson ? CanonicalJson.Shorten(body.Json) : "text '" + (text.Length > 60 ? text.Substring(0, 60) + "…" : text) + "'";
    }

    // Ignored object members are removed; an ignored array item becomes null, so positions still line up.
    private void RemoveIgnored(JsonNode node, List<string> path)
    {
        switch (node)
        {
            case JsonObject json:
                foreach (var name in json.Select(property => property.Key).ToList())
                {
                    path.Add(name);
                    if (JsonFieldRule.AnyMatches(_ignored, path, lastIsProperty: true))
                    {
                        json.Remove(name);
                    }
                    else if (json[name] is { } child)
                    {
                        RemoveIgnored(child, path);
                    }

                    path.RemoveAt(path.Count - 1);
                }

                return;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    path.Add(i.ToString(CultureInfo.InvariantCulture));
                    if (JsonFieldRule.AnyMatches(_ignored, path, lastIsProperty: false))
                    {
                        array[i] = null;
                    }
                    else if (array[i] is { } child)
                    {
                        RemoveIgnored(child, path);
                    }

                    path.RemoveAt(path.Count - 1);
                }

                return;
        }
    }
}
