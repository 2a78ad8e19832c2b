using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Humanloop.Recording;

/// <summary>
/// JSON as fixtures store it: object keys sorted ordinally at every level, so that the same content is
/// always the same text; indented by two spaces with LF line ends for files, compact for replayed
/// bodies. Characters are written as they are (no \u escapes for non-ASCII or HTML characters) so
/// that diffs stay readable.
/// </summary>
internal static class CanonicalJson
{
    private static readonly JsonWriterOptions IndentedOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonWriterOptions CompactOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Fixture files may carry comments and trailing commas when edited by hand.</summary>
    public static readonly JsonDocumentOptions LenientReading = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public static string ToIndentedText(JsonNode? node)
    {
        // Utf8JsonWriter ends lines with Environment.NewLine; JSON text has no raw line breaks inside
        // strings, so normalising them here is safe and makes files identical on every OS.
        return Encoding.UTF8.GetString(Write(node, IndentedOptions)).Replace("\r\n", "\n") + "\n";
    }

    public static byte[] ToCompactBytes(JsonNode? node) => Write(node, CompactOptions);

    public static string ToCompactText(JsonNode? node) => Encoding.UTF8.GetString(ToCompactBytes(node));

    /// <summary>Parses JSON, or returns false for anything that is not a single valid JSON value.</summary>
    public static bool TryParse(byte[] bytes, out JsonNode? node)
    {
        try
        {
            node = JsonNode.Parse(bytes, documentOptions: default);
            return true;
        }
        catch (JsonException)
        {
            node = null;
            return false;
        }
    }

    /// <summary>True when both values are the same JSON; numbers compare by value (1.0 equals 1).</summary>
    public static bool ValuesEqual(JsonValue recorded, JsonValue sent)
    {
        var recordedKind = recorded.GetValueKind();
        var sentKind = sent.GetValueKind();
        if (recordedKind == JsonValueKind.Number && sentKind == JsonValueKind.Number &&
            recorded.TryGetValue<decimal>(out var recordedNumber) && sent.TryGetValue<decimal>(out var sentNumber))
        {
            return recordedNumber == sentNumber;
        }

        return recordedKind == sentKind && ToCompactText(recorded) == ToCompactText(sent);
    }

    /// <summary>A short, one-line rendering for messages.</summary>
    public static string Shorten(JsonNode? node, int maxLength = 60)
    {
        var text = ToCompactText(node);
        return text.Length > maxLength ? text.Substring(0, maxLength) + "…" : text;
    }

    private static byte[] Write(JsonNode? node, JsonWriterOptions options)
    {
        using var output = new MemoryStream();
        using (var writer = new Utf8JsonWriter(output, options))
        {
            WriteSorted(writer, node);
        }

        return output.ToArray();
    }

    private static void WriteSorted(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonObject json:
                writer.WriteStartObject();
                foreach (var property in json.OrderBy(property => property.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Key);
                    WriteSorted(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    WriteSorted(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }
}
