using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Humanloop.Server.Http;

/// <summary>Reads a request body as JSON, reporting malformed or missing bodies as FastAPI did (422).</summary>
internal static class RequestBody
{
    public static readonly object[] BodyLocation = ["body"];

    public static async Task<JsonNode> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var node = await ReadOptionalAsync(request, cancellationToken);
        if (node is null)
        {
            var errors = new ValidationErrors();
            errors.Missing(BodyLocation);
            throw errors.ToException();
        }

        return node;
    }

    /// <summary>
    /// Reads a body that may be left out: null when there is none (or only whitespace). The body must be strict
    /// UTF-8 and JSON whose every object has distinct keys, every string is well-formed UTF-16 within the field's
    /// length limit, and every number is finite; anything else is a 4xx naming where it is.
    /// </summary>
    public static async Task<JsonNode?> ReadOptionalAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var limits = RequestLimits.Of(request.HttpContext);
        var bytes = await ReadBytesAsync(request, limits, cancellationToken);
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new ApiException(StatusCodes.Status400BadRequest,
                JsonValue.Create($"The request body is not valid UTF-8 (an invalid byte sequence at byte {Math.Max(0, ex.Index)})."));
        }

        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            using (var document = JsonDocument.Parse(text))
            {
                var errors = new ValidationErrors();
                Check(document.RootElement, [.. BodyLocation], limits, errors);
                errors.ThrowIfAny();
            }

            return JsonNode.Parse(text) ?? throw ValidationErrors.Single(BodyLocation, "none is not an allowed value", "type_error.none.not_allowed");
        }
        catch (JsonException ex)
        {
            var position = (int)(ex.BytePositionInLine ?? 0);
            throw ValidationErrors.Single(["body", position], $"Expecting value: line {(ex.LineNumber ?? 0) + 1} column {position + 1} (char {position})", "value_error.jsondecode");
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static async Task<byte[]> ReadBytesAsync(HttpRequest request, RequestLimits limits, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limits.MaxBodyBytes)
        {
            throw TooLarge(limits);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limits.MaxBodyBytes)
            {
                throw TooLarge(limits);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static ApiException TooLarge(RequestLimits limits) =>
        new(StatusCodes.Status413PayloadTooLarge, JsonValue.Create(RequestLimits.BodyTooLarge(limits.MaxBodyBytes)));

    /// <summary>
    /// Walks the parsed body once: a key that appears twice in one object, a string that is not well-formed
    /// UTF-16 (a lone surrogate escape), a string over its field's limit, or a number too large for a double is
    /// reported at its location. Every string is held to the text limit here; the readers of known fields hold
    /// ids and names to their shorter limits.
    /// </summary>
    private static void Check(JsonElement element, List<object> location, RequestLimits limits, ValidationErrors errors)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        errors.Add(location, "a key is not valid Unicode (it has a lone surrogate escape)", "value_error.unicode");
                        continue;
                    }

                    location.Add(name);
                    if (!seen.Add(name))
                    {
                        errors.Add(location, $"duplicate key '{RequestLimits.Echo(name)}'", "value_error.duplicate_key");
                    }
                    else if (name.Length > limits.MaxNameLength)
                    {
                        errors.Add(location, $"ensure this key has at most {limits.MaxNameLength} characters", "value_error.any_str.max_length");
                    }
                    else
                    {
                        Check(property.Value, location, limits, errors);
                    }

                    location.RemoveAt(location.Count - 1);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    location.Add(index++);
                    Check(item, location, limits, errors);
                    location.RemoveAt(location.Count - 1);
                }

                break;
            case JsonValueKind.String:
                string text;
                try
                {
                    text = element.GetString()!;
                }
                catch (InvalidOperationException)
                {
                    errors.Add(location, "string is not valid Unicode (it has a lone surrogate escape)", "value_error.unicode");
                    break;
                }

                if (text.Length > limits.MaxTextLength)
                {
                    errors.Add(location, $"ensure this value has at most {limits.MaxTextLength} characters", "value_error.any_str.max_length");
                }

                break;
            case JsonValueKind.Number:
                if (!element.TryGetDouble(out var number) || !double.IsFinite(number))
                {
                    errors.Add(location, "number is out of range (it must fit a 64-bit float)", "value_error.number.out_of_range");
                }

                break;
        }
    }

    /// <summary>A body that is a JSON array of ids (as the Node SDK sends them to DELETE endpoints); each item must be a string.</summary>
    public static IReadOnlyList<string> IdArray(JsonNode node)
    {
        if (node is not JsonArray array)
        {
            throw ValidationErrors.Single(BodyLocation, "value is not a valid list", "type_error.list");
        }

        var errors = new ValidationErrors();
        var ids = new List<string>();
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.String)
            {
                ids.Add(value.GetValue<string>());
            }
            else
            {
                errors.Add(["body", i], "str type expected", "type_error.str");
            }
        }

        errors.ThrowIfAny();
        return ids;
    }

    /// <summary>Reads a body that must be one JSON object, as a field reader at location <c>["body"]</c>.</summary>
    public static async Task<FieldReader> ReadObjectAsync(HttpRequest request, ValidationErrors errors, CancellationToken cancellationToken)
    {
        var node = await ReadAsync(request, cancellationToken);
        if (node is not JsonObject obj)
        {
            throw ValidationErrors.Single(BodyLocation, "value is not a valid dict", "type_error.dict");
        }

        return new FieldReader(obj, BodyLocation, errors, RequestLimits.Of(request.HttpContext));
    }
}
