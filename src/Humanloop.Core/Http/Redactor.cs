using System;
using System.IO;
using System.Text;
using System.Text.Json;

namespace Humanloop.Http;

/// <summary>Keeps secrets out of diagnostics: provider keys in bodies and the API key anywhere.</summary>
internal static class Redactor
{
    public const string Mask = "****";

    /// <summary>A copy of a JSON body with every <c>provider_api_keys</c> value masked.</summary>
    public static string RedactJson(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            using var output = new MemoryStream();
            using (var writer = new Utf8JsonWriter(output))
            {
                WriteRedacted(writer, document.RootElement, maskValues: false);
            }

            return Encoding.UTF8.GetString(output.ToArray());
        }
        catch (JsonException)
        {
            return $"({body.Length} bytes, not JSON)";
        }
    }

    /// <summary>Replaces the API key, should it appear, with its masked form.</summary>
    public static string Scrub(string text, HumanloopApiKey? apiKey) => apiKey is null ? text : apiKey.Scrub(text);

    /// <summary>
    /// At most <paramref name="maxChars"/> characters of <paramref name="text"/> for a message, scrubbed
    /// before it is cut, so a key that straddles the cut cannot leave its first characters behind.
    /// </summary>
    public static string Preview(string text, HumanloopApiKey? apiKey, int maxChars)
    {
        var scrubbed = Scrub(text, apiKey);
        return scrubbed.Length > maxChars ? scrubbed.Substring(0, maxChars - 1) + "…" : scrubbed;
    }

    /// <summary>The same for a UTF-8 body; returns the input itself when the key is not in it.</summary>
    public static byte[] Scrub(byte[] body, HumanloopApiKey? apiKey)
    {
        var text = Encoding.UTF8.GetString(body);
        return apiKey is not null && apiKey.IsContainedIn(text) ? Encoding.UTF8.GetBytes(apiKey.Scrub(text)) : body;
    }

    private static void WriteRedacted(Utf8JsonWriter writer, JsonElement element, bool maskValues)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    var isKeys = string.Equals(property.Name, "provider_api_keys", StringComparison.OrdinalIgnoreCase);
                    WriteRedacted(writer, property.Value, maskValues || isKeys);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteRedacted(writer, item, maskValues);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.String when maskValues:
                writer.WriteStringValue(Mask);
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
