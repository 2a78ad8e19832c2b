using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Humanloop.Http;

namespace Humanloop.Recording;

/// <summary>
/// Keeps secrets out of fixtures. The API key header is always masked; the values of scrubbed fields
/// (<c>provider_api_keys</c> and the user's) are masked wherever the field appears, in headers and JSON
/// bodies; matches of the user's regular expressions are masked in every stored string. Every value
/// masked this way (and the API key) is also remembered, and masked wherever else it appears, so a
/// server that echoes a key back cannot carry it into a fixture.
/// </summary>
internal sealed class RecordingScrubber
{
    public const string Mask = Redactor.Mask;
    public const string ApiKeyHeader = "x-api-key";

    // Shorter values are too likely to occur by chance in ordinary text to be replaced everywhere.
    private const int MinimumRememberedLength = 8;

    private readonly List<JsonFieldRule> _fields;
    private readonly List<Regex> _patterns;
    private readonly HashSet<string> _secrets = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    /// <exception cref="ArgumentException">A field rule or pattern is not usable; the message names it.</exception>
    public RecordingScrubber(IEnumerable<string> fields, IEnumerable<string> patterns)
    {
        _fields = JsonFieldRule.ParseAll(RecordingOptions.DefaultScrubFields, fields, "ScrubFields");
        _patterns = patterns.Select(CompilePattern).ToList();
    }

    /// <summary>Remembers a secret (such as the API key) so that it is masked wherever it appears.</summary>
    public void Remember(string? secret)
    {
        if (secret is { Length: >= MinimumRememberedLength } && secret != Mask)
        {
            lock (_gate)
            {
                _secrets.Add(secret);
            }
        }
    }

    /// <summary>
    /// Remembers the values of scrubbed fields in a request. Run over every request before any exchange is
    /// scrubbed, so a value is masked even in a response written before the request that revealed it.
    /// </summary>
    public void RememberFieldValues(RecordedRequest request) => _ = ScrubBody(request.Body);

    /// <summary>Masks everything secret in <paramref name="exchange"/>, in place.</summary>
    public void Scrub(RecordedExchange exchange)
    {
        var request = exchange.Request;
        request.Path = ScrubText(request.Path);
        ScrubHeaders(request.Headers);
        request.Body = ScrubBody(request.Body);

        var response = exchange.Response;
        ScrubHeaders(response.Headers);
        response.Body = ScrubBody(response.Body);
        if (response.Events is { } events)
        {
            foreach (var item in events)
            {
                item.Data = ScrubBody(item.Data)!;
            }
        }

        response.StreamError = response.StreamError is null ? null : ScrubText(response.StreamError);
    }

    /// <summary>A scrubbed copy of a body (null stays null); used for matching as well as for writing.</summary>
    public RecordedBody? ScrubBody(RecordedBody? body)
    {
        if (body is null)
        {
            return null;
        }

        if (!body.IsJson)
        {
            return RecordedBody.FromText(ScrubText(body.Text!));
        }

        var copy = body.Json!.DeepClone();
        return RecordedBody.FromJson(Walk(copy, [], lastIsProperty: false)!);
    }

    public string ScrubText(string text)
    {
        foreach (var pattern in _patterns)
        {
            text = pattern.Replace(text, Mask);
        }

        lock (_gate)
        {
            foreach (var secret in _secrets)
            {
                if (text.IndexOf(secret, StringComparison.Ordinal) >= 0)
                {
                    text = text.Replace(secret, Mask);
                }
            }
        }

        return text;
    }

    private void ScrubHeaders(SortedDictionary<string, string> headers)
    {
        foreach (var name in headers.Keys.ToList())
        {
            var masked = name == ApiKeyHeader || _fields.Any(rule => rule.MatchesHeader(name));
            headers[name] = masked ? Mask : ScrubText(headers[name]);
        }
    }

    // Returns the node to keep in place of the visited one: the same node, changed in place, or a new value.
    private JsonNode? Walk(JsonNode? node, List<string> path, bool lastIsProperty)
    {
        if (node is null)
        {
            return null;
        }

        if (path.Count > 0 && JsonFieldRule.AnyMatches(_fields, path, lastIsProperty))
        {
            return MaskAll(node);
        }

        switch (node)
        {
            case JsonObject json:
                foreach (var name in json.Select(property => property.Key).ToList())
                {
                    path.Add(name);
                    Replace(json[name], Walk(json[name], path, lastIsProperty: true), value => json[name] = value);
                    path.RemoveAt(path.Count - 1);
                }

                return json;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    path.Add(i.ToString(CultureInfo.InvariantCulture));
                    var index = i;
                    Replace(array[i], Walk(array[i], path, lastIsProperty: false), value => array[index] = value);
                    path.RemoveAt(path.Count - 1);
                }

                return array;
            default:
                return node.GetValueKind() == JsonValueKind.String ? JsonValue.Create(ScrubText(node.GetValue<string>())) : node;
        }
    }

    // Every scalar under a scrubbed field becomes the mask, and is remembered as a secret; the shape
    // (keys, array lengths) stays, so a reader of the fixture can see what was there.
    private JsonNode? MaskAll(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonObject json:
                foreach (var name in json.Select(property => property.Key).ToList())
                {
                    Replace(json[name], MaskAll(json[name]), value => json[name] = value);
                }

                return json;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var index = i;
                    Replace(array[i], MaskAll(array[i]), value => array[index] = value);
                }

                return array;
            default:
                Remember(node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : node.ToJsonString());
                return JsonValue.Create(Mask);
        }
    }

    private static void Replace(JsonNode? current, JsonNode? replacement, Action<JsonNode?> assign)
    {
        if (!ReferenceEquals(current, replacement))
        {
            assign(replacement);
        }
    }

    private static Regex CompilePattern(string pattern)
    {
        if (string.IsNullOrEmpty(pattern))
        {
            throw new ArgumentException("ScrubPatterns contains an empty pattern, which would match everywhere.");
        }

        try
        {
            // A time limit, so a pathological pattern fails instead of hanging a test run.
            return new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException exception)
        {
            throw new ArgumentException($"ScrubPatterns contains '{pattern}', which is not a valid regular expression: {exception.Message}", exception);
        }
    }
}
