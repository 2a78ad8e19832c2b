using System;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Humanloop.Json;

/// <summary>
/// A config request as the API's JSON object, written by its own generated serializer, so that a field
/// added to a config type reaches every request that carries a config without a change here.
/// </summary>
internal static class ModelConfigJson
{
    /// <summary>The config's JSON.</summary>
    /// <exception cref="NotSupportedException">The config is neither a completion nor a chat config.</exception>
    public static byte[] Serialize(ModelConfigRequest config) => config switch
    {
        ModelConfigChatRequest chat => JsonSerializer.SerializeToUtf8Bytes(chat, HumanloopJsonContext.Default.ModelConfigChatRequest),
        ModelConfigCompletionRequest completion => JsonSerializer.SerializeToUtf8Bytes(completion, HumanloopJsonContext.Default.ModelConfigCompletionRequest),
        _ => throw new NotSupportedException($"A {config.GetType().Name} cannot be sent."),
    };

    /// <summary>Writes the config's fields into the object <paramref name="writer"/> is inside.</summary>
    public static void WriteFields(Utf8JsonWriter writer, ModelConfigRequest config)
    {
        using var document = JsonDocument.Parse(Serialize(config));
        foreach (var field in document.RootElement.EnumerateObject())
        {
            field.WriteTo(writer);
        }
    }
}

/// <summary>
/// Writes the inline config of a log (<c>LogRequest.config</c>): the spec's <c>ModelConfigRequest</c>, one
/// of a union told apart by <c>"type"</c>, so the config's fields are followed by <c>"type": "model"</c>.
/// </summary>
internal sealed class LogModelConfigConverter : JsonConverter<ModelConfigRequest>
{
    public override ModelConfigRequest Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("A log's inline config is only ever sent, never read.");

    public override void Write(Utf8JsonWriter writer, ModelConfigRequest value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        ModelConfigJson.WriteFields(writer, value);
        writer.WriteString("type", "model");
        writer.WriteEndObject();
    }
}

/// <summary>Reads one log of a project export as both its typed form and its JSON text, on one line.</summary>
internal sealed class ExportedLogConverter : JsonConverter<ExportedLog>
{
    private static readonly JsonWriterOptions CompactOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public override ExportedLog Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var element = document.RootElement;
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException($"An exported log is a JSON object, not {element.ValueKind}.");
        }

        var log = element.Deserialize(WorkflowJsonContext.Default.Log)!;
        return new ExportedLog(log, Compact(element));
    }

    public override void Write(Utf8JsonWriter writer, ExportedLog value, JsonSerializerOptions options) => writer.WriteRawValue(value.Json);

    // JSON strings cannot hold a raw line break, so one in the text is layout: only then is it rewritten.
    private static string Compact(JsonElement element)
    {
        var raw = element.GetRawText();
        if (raw.IndexOf('\n') < 0 && raw.IndexOf('\r') < 0)
        {
            return raw;
        }

        using var buffer = new System.IO.MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, CompactOptions))
        {
            element.WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
