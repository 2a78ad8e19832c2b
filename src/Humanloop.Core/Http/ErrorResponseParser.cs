using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Humanloop.Http;

/// <summary>
/// Turns an error response into a <see cref="HumanloopApiException"/>. The API documents <c>detail</c> as a
/// validation array or a provider-error object; plain strings, OpenAI-style <c>error</c> objects, HTML
/// pages from proxies and empty bodies are handled too, because they happen.
/// </summary>
internal static class ErrorResponseParser
{
    private const int MaxRawBodyChars = 4000;

    public static HumanloopApiException Parse(HttpStatusCode status, string? reasonPhrase, HttpResponseHeaders headers, string? contentType, byte[] body)
    {
        var detail = ParseDetail(contentType, body);
        return new HumanloopApiException(status, reasonPhrase, detail, ReadRetryAfter(headers, DateTimeOffset.UtcNow));
    }

    public static HumanloopErrorDetail ParseDetail(string? contentType, byte[] body)
    {
        var text = Encoding.UTF8.GetString(body);
        var raw = text.Length > MaxRawBodyChars ? text.Substring(0, MaxRawBodyChars) + "…" : text;
        if (string.IsNullOrWhiteSpace(text))
        {
            return new HumanloopErrorDetail { ContentType = contentType };
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return FromJson(document.RootElement, raw, contentType);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a JSON string that is no valid text (bad UTF-8, a lone surrogate).
            return new HumanloopErrorDetail
            {
                Message = DescribeNonJson(contentType, text),
                RawBody = raw,
                ContentType = contentType,
            };
        }
    }

    private static HumanloopErrorDetail FromJson(JsonElement root, string raw, string? contentType)
    {
        if (root.ValueKind == JsonValueKind.Object)
        {
            if (root.TryGetProperty("detail", out var detail))
            {
                return FromDetail(detail, raw, contentType);
            }

            if (root.TryGetProperty("error", out var error))
            {
                return FromDetail(error, raw, contentType);
            }

            if (TryGetString(root, "message", out var message))
            {
                return new HumanloopErrorDetail { Message = message, RawBody = raw, ContentType = contentType };
            }
        }

        return FromDetail(root, raw, contentType);
    }

    private static HumanloopErrorDetail FromDetail(JsonElement detail, string raw, string? contentType)
    {
        switch (detail.ValueKind)
        {
            case JsonValueKind.String:
                return new HumanloopErrorDetail { Message = detail.GetString() ?? string.Empty, RawBody = raw, ContentType = contentType };
            case JsonValueKind.Array:
                var errors = ReadValidationErrors(detail);
                return new HumanloopErrorDetail
                {
                    Message = string.Join("; ", errors),
                    ValidationErrors = errors,
                    RawBody = raw,
                    ContentType = contentType,
                };
            case JsonValueKind.Object:
                var provider = new HumanloopProviderError
                {
                    Type = ScalarText(detail, "type"),
                    Message = ScalarText(detail, "message") ?? ScalarText(detail, "msg"),
                    Code = ScalarText(detail, "code"),
                    Origin = ScalarText(detail, "origin"),
                };
                return new HumanloopErrorDetail
                {
                    Message = DescribeProviderError(provider),
                    ProviderError = provider,
                    RawBody = raw,
                    ContentType = contentType,
                };
            default:
                return new HumanloopErrorDetail { Message = detail.GetRawText(), RawBody = raw, ContentType = contentType };
        }
    }

    private static List<HumanloopValidationError> ReadValidationErrors(JsonElement detail)
    {
        var errors = new List<HumanloopValidationError>();
        foreach (var item in detail.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new HumanloopValidationError { Message = item.ToString() });
                continue;
            }

            var location = new List<string>();
            if (item.TryGetProperty("loc", out var loc) && loc.ValueKind == JsonValueKind.Array)
            {
                foreach (var part in loc.EnumerateArray())
                {
                    location.Add(part.ValueKind == JsonValueKind.String ? part.GetString()! : part.GetRawText());
                }
            }

            errors.Add(new HumanloopValidationError
            {
                Location = string.Join(".", location),
                Message = ScalarText(item, "msg") ?? ScalarText(item, "message") ?? string.Empty,
                Type = ScalarText(item, "type"),
            });
        }

        return errors;
    }

    private static string DescribeProviderError(HumanloopProviderError error)
    {
        var text = new StringBuilder();
        text.Append(error.Origin ?? "Error").Append(": ").Append(error.Message ?? "(no message)");
        var extras = new List<string>();
        if (!string.IsNullOrEmpty(error.Type))
        {
            extras.Add(error.Type!);
        }

        if (!string.IsNullOrEmpty(error.Code))
        {
            extras.Add("code " + error.Code);
        }

        if (extras.Count > 0)
        {
            text.Append(" (").Append(string.Join(", ", extras)).Append(')');
        }

        return text.ToString();
    }

    private static string DescribeNonJson(string? contentType, string text)
    {
        var kind = string.IsNullOrEmpty(contentType) ? "a body without a content type" : $"a {contentType} body";
        var title = Regex.Match(text, "<title[^>]*>(.*?)</title>", RegexOptions.IgnoreCase | RegexOptions.Singleline);
        var gist = title.Success ? title.Groups[1].Value : Regex.Replace(text, "<[^>]+>", " ");
        gist = Regex.Replace(gist, @"\s+", " ").Trim();
        if (gist.Length > 200)
        {
            gist = gist.Substring(0, 200) + "…";
        }

        return $"The response was {kind}, not JSON (a proxy or gateway may have answered): {gist}";
    }

    private static bool TryGetString(JsonElement element, string name, out string value)
    {
        value = ScalarText(element, name) ?? string.Empty;
        return value.Length > 0;
    }

    private static string? ScalarText(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var property))
        {
            return null;
        }

        return property.ValueKind switch
        {
            JsonValueKind.String => property.GetString(),
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            _ => property.GetRawText(),
        };
    }

    /// <summary>
    /// Reads the server's wait hint: <c>retry-after-ms</c>, then <c>x-ms-retry-after-ms</c>, then
    /// <c>Retry-After</c> as seconds or an HTTP date (a date in the past means no wait).
    /// </summary>
    public static TimeSpan? ReadRetryAfter(HttpResponseHeaders headers, DateTimeOffset now)
    {
        foreach (var name in new[] { "retry-after-ms", "x-ms-retry-after-ms" })
        {
            if (headers.TryGetValues(name, out var values))
            {
                foreach (var value in values)
                {
                    if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds >= 0)
                    {
                        return TimeSpan.FromMilliseconds(milliseconds);
                    }
                }
            }
        }

        if (headers.TryGetValues("Retry-After", out var retryAfter))
        {
            foreach (var value in retryAfter)
            {
                if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
                {
                    return TimeSpan.FromSeconds(seconds);
                }

                if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
                {
                    var wait = date - now;
                    return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
                }
            }
        }

        return null;
    }
}
