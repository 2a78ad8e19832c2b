using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Humanloop.Server.Http;

/// <summary>The single JSON configuration of the wire format: snake_case, explicit nulls, one line.</summary>
internal static class WireJson
{
    public static readonly JsonSerializerOptions Options = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            // The hosted API returned explicit nulls for absent optional values; clients rely on it.
            DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never,
            WriteIndented = false,
            // Keeps prompts and outputs readable in responses and SSE events; never embedded in HTML.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static byte[] SerializeToUtf8<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    /// <summary>Parses stored JSON text; null text stays null.</summary>
    public static JsonNode? ParseOrNull(string? json) => json is null ? null : JsonNode.Parse(json);

    public static JsonObject ParseObject(string json) => JsonNode.Parse(json)?.AsObject() ?? new JsonObject();

    public static string? ToText(JsonNode? node) => node?.ToJsonString(Options);
}
